import { addPoolNumber, listPoolNumbers, removePoolNumber } from '../modules/pool/index.ts';
import { commandCtx, requireString } from './admin.ts';
import { formatTable } from './table.ts';
import { type CommandDefinition, EXIT, UsageError } from './types.ts';

const optionalString = (value: unknown) => (typeof value === 'string' ? value : undefined);

export const numbersAddCommand: CommandDefinition = {
  path: ['numbers', 'add'],
  summary: 'Put one of your own numbers in the pool, on one of your gateways',
  usage: 'otpbox numbers add --gateway NAME --number +E164 [--device ID] [--sim N] [--services tg,wa,…] [--country CC] [--cost 0.05]',
  options: {
    gateway: { type: 'string' },
    number: { type: 'string' },
    device: { type: 'string' },
    sim: { type: 'string' },
    services: { type: 'string' },
    country: { type: 'string' },
    cost: { type: 'string' },
  },
  async run(ctx, args, io) {
    const v = args.values;
    const row = await addPoolNumber(commandCtx(ctx), {
      gateway: requireString(v.gateway, 'gateway'),
      number: requireString(v.number, 'number'),
      device: optionalString(v.device),
      sim: optionalString(v.sim),
      services: optionalString(v.services),
      country: optionalString(v.country),
      cost: optionalString(v.cost),
    });
    io.stdout(
      `Added ${row.number} (${row.country}) for ${row.services ? row.services.join(', ') : 'every service'}` +
        `${row.device ? ` on device ${row.device}${row.sim ? ` SIM ${row.sim}` : ''}` : ''}, cost ${(row.cost / 1_000_000).toFixed(2)} USD. It is in stock now.\n`,
    );
    if (row.cost === 0)
      io.stderr(
        'Warning: with cost 0 its price is only the pool’s fee: set --cost, a fee on the provider "pool" (console, Providers) or a catalog price, or it sells for the minimum price, 1 credit.\n',
      );
    return EXIT.ok;
  },
};

export const numbersListCommand: CommandDefinition = {
  path: ['numbers', 'list'],
  summary: 'List the pool’s numbers: state (free, rented, cooling), services, last sold',
  usage: 'otpbox numbers list [--json] [--gateway NAME]',
  options: { json: { type: 'boolean' }, gateway: { type: 'string' } },
  async run(ctx, args, io) {
    const listed = await listPoolNumbers(ctx.database.db, ctx.clock.now(), optionalString(args.values.gateway));
    if (args.values.json) {
      io.stdout(`${JSON.stringify(listed, null, 2)}\n`);
      return EXIT.ok;
    }
    if (listed.length === 0) {
      io.stdout('No numbers in the pool. Add one with `otpbox numbers add`.\n');
      return EXIT.ok;
    }
    const time = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 19) : '-');
    io.stdout(
      formatTable([
        ['NUMBER', 'GATEWAY', 'COUNTRY', 'DEVICE/SIM', 'SERVICES', 'COST', 'STATE', 'LAST SOLD'],
        ...listed.map((n) => [
          n.number,
          n.gateway,
          n.country,
          n.device ? `${n.device}${n.sim ? `/${n.sim}` : ''}` : '-',
          n.services ? n.services.join(',') : 'all',
          n.cost.toFixed(2),
          n.state === 'cooling' ? `cooling until ${time(n.coolingUntil)}` : n.state,
          time(n.lastSoldAt),
        ]),
      ]),
    );
    return EXIT.ok;
  },
};

export const numbersRemoveCommand: CommandDefinition = {
  path: ['numbers', 'remove'],
  summary: 'Take a number out of the pool (refused while an order holds it)',
  usage: 'otpbox numbers remove +E164',
  allowPositionals: true,
  async run(ctx, args, io) {
    const [number, extra] = args.positionals;
    if (!number || extra !== undefined) throw new UsageError('name exactly one number to remove');
    await removePoolNumber(commandCtx(ctx), number);
    io.stdout(`Removed ${number} from the pool.\n`);
    return EXIT.ok;
  },
};
