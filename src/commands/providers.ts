import { and, asc, count, eq, gt, isNull } from 'drizzle-orm';
import { providerOffers, providers } from '../db/schema/index.ts';
import { DomainError } from '../lib/errors.ts';
import { basisPointsToPercent } from '../modules/catalog/index.ts';
import { adapterFor, addProvider, removeProvider, updateProviderTerms } from '../modules/providers/index.ts';
import { commandCtx, requireString } from './admin.ts';
import { formatTable } from './table.ts';
import { type CommandDefinition, EXIT, UsageError } from './types.ts';

const KEY_ENV = 'OTPBOX_PROVIDER_API_KEY';

function optionalInt(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value.trim())) throw new UsageError(`--${option} must be a whole number`);
  return Number(value);
}

const optionalString = (value: unknown) => (typeof value === 'string' ? value : undefined);

export const providersAddCommand: CommandDefinition = {
  path: ['providers', 'add'],
  summary: 'Connect an upstream provider (SMS-Activate protocol or 5sim); its API key is stored encrypted',
  usage:
    'otpbox providers add --kind sms-activate|5sim --name NAME --base-url URL --api-key KEY [--priority N] [--markup-percent P] ' +
    `[--fee CREDITS] [--currency USD] [--credits-per-unit N] [--low-balance AMOUNT] [--no-check]  (or the key in ${KEY_ENV})`,
  options: {
    kind: { type: 'string' },
    name: { type: 'string' },
    'base-url': { type: 'string' },
    'api-key': { type: 'string' },
    priority: { type: 'string' },
    'markup-percent': { type: 'string' },
    fee: { type: 'string' },
    currency: { type: 'string' },
    'credits-per-unit': { type: 'string' },
    'low-balance': { type: 'string' },
    'no-check': { type: 'boolean' },
  },
  env: [KEY_ENV],
  async run(ctx, args, io) {
    const v = args.values;
    const apiKey = optionalString(v['api-key']) ?? io.env[KEY_ENV];
    if (!apiKey) throw new UsageError(`--api-key is required (or set ${KEY_ENV}, which keeps it out of your shell history)`);
    const dctx = commandCtx(ctx);
    const added = await addProvider(dctx, {
      kind: requireString(v.kind, 'kind'),
      name: requireString(v.name, 'name'),
      baseUrl: optionalString(v['base-url']),
      apiKey,
      priority: optionalInt(v.priority, 'priority'),
      markupPercent: optionalString(v['markup-percent']),
      feeCredits: optionalInt(v.fee, 'fee'),
      currency: optionalString(v.currency),
      creditsPerUnit: optionalString(v['credits-per-unit']),
      lowBalance: optionalString(v['low-balance']),
    });
    const { provider } = added;
    for (const warning of added.warnings) io.stderr(`Warning: ${warning}\n`);
    io.stdout(
      `Added ${provider.kind} provider "${provider.name}" (${provider.id}) at ${provider.baseUrl}, priority ${provider.priority}, ` +
        `markup ${basisPointsToPercent(provider.markupBasisPoints)} %${provider.feeCredits ? ` + ${provider.feeCredits} credits` : ''}.\n`,
    );
    const adapter = adapterFor(provider, ctx.keys, ctx.config, { db: ctx.database.db, clock: ctx.clock, log: ctx.log });
    if (!v['no-check']) {
      const balance = await adapter.getBalance();
      if (balance.ok) io.stdout(`Connected: balance ${(balance.value.amount / 1_000_000).toFixed(2)} ${balance.value.currency}.\n`);
      else
        io.stderr(
          `Warning: could not check the connection (${balance.failure.kind}: ${balance.failure.message}). ` +
            'The provider is saved; fix it with `providers remove` and `providers add` if the key or URL is wrong.\n',
        );
    }
    io.stdout(
      `Its catalog is read now if otpbox is running (else at the next start), then every ${Math.round(ctx.config.catalogSyncIntervalS / 60)} minutes.\n`,
    );
    // Only protocols that push SMS get the URL; the others (5sim) are polled.
    if (adapter.parsePush)
      io.stdout(`To receive pushed SMS, give the provider this webhook URL (shown once):\n  ${ctx.config.publicUrl}${added.pushPath}\n`);
    else io.stdout('This provider does not push SMS: its orders are polled.\n');
    return EXIT.ok;
  },
};

export const providersListCommand: CommandDefinition = {
  path: ['providers', 'list'],
  summary: 'List the upstream providers with their health, balance and offers',
  usage: 'otpbox providers list [--json]',
  options: { json: { type: 'boolean' } },
  async run(ctx, args, io) {
    const db = ctx.database.db;
    const rows = await db.select().from(providers).orderBy(asc(providers.priority), asc(providers.name));
    const offers = await db
      .select({ providerId: providerOffers.providerId, n: count() })
      .from(providerOffers)
      .where(gt(providerOffers.count, 0))
      .groupBy(providerOffers.providerId);
    const offerCount = new Map(offers.map((row) => [row.providerId, Number(row.n)]));
    const listed = rows.map((row) => ({
      name: row.name,
      kind: row.kind,
      baseUrl: row.baseUrl,
      priority: row.priority,
      markupPercent: basisPointsToPercent(row.markupBasisPoints),
      feeCredits: row.feeCredits,
      currency: row.currency,
      status: row.removedAt ? 'removed (open orders finishing)' : 'selling',
      health: row.health,
      lastError: row.lastError,
      balance: row.balanceMicros === null ? null : row.balanceMicros / 1_000_000,
      lowBalance: row.balanceMicros !== null && row.balanceMicros < row.lowBalanceMicros,
      offers: offerCount.get(row.id) ?? 0,
      syncedAt: row.syncedAt?.toISOString() ?? null,
    }));
    if (args.values.json) {
      io.stdout(`${JSON.stringify(listed, null, 2)}\n`);
      return EXIT.ok;
    }
    if (listed.length === 0) {
      io.stdout(
        `No upstream providers: ${ctx.config.sandbox === 'off' ? 'nothing is sold' : 'the sandbox sells fictional numbers'}. Add one with \`otpbox providers add\`.\n`,
      );
      return EXIT.ok;
    }
    const table = [
      ['NAME', 'KIND', 'PRIORITY', 'MARKUP', 'HEALTH', 'BALANCE', 'OFFERS', 'SYNCED', 'STATUS'],
      ...listed.map((p) => [
        p.name,
        p.kind,
        String(p.priority),
        `${p.markupPercent} %${p.feeCredits ? ` +${p.feeCredits}` : ''}`,
        p.health,
        p.balance === null ? '?' : `${p.balance.toFixed(2)} ${p.currency}${p.lowBalance ? ' (low)' : ''}`,
        String(p.offers),
        p.syncedAt ? p.syncedAt.replace('T', ' ').slice(0, 19) : 'never',
        p.status,
      ]),
    ];
    io.stdout(formatTable(table));
    for (const p of listed) if (p.lastError && p.health !== 'ok') io.stdout(`${p.name}: last error: ${p.lastError}\n`);
    return EXIT.ok;
  },
};

export const providersRemoveCommand: CommandDefinition = {
  path: ['providers', 'remove'],
  summary: 'Stop selling a provider’s numbers (its open orders finish normally)',
  usage: 'otpbox providers remove NAME',
  allowPositionals: true,
  async run(ctx, args, io) {
    const [name, extra] = args.positionals;
    if (!name || extra !== undefined) throw new UsageError('name exactly one provider to remove');
    const removed = await removeProvider(commandCtx(ctx), name);
    io.stdout(
      removed.deleted
        ? `Removed provider "${name}" and its stored key.\n`
        : `Provider "${name}" sells no more. ${removed.draining} open order(s) or pending call(s) finish with it; its row and key are deleted after that.\n`,
    );
    return EXIT.ok;
  },
};

export const providersSetCommand: CommandDefinition = {
  path: ['providers', 'set'],
  summary: 'Change a provider’s priority, markup, fee or low-balance threshold (audited; every instance reprices at once)',
  usage:
    'otpbox providers set NAME [--priority N] [--markup-percent P] [--fee CREDITS] [--low-balance AMOUNT] --reason TEXT  ' +
    '(the pool of your own numbers is the provider "pool")',
  allowPositionals: true,
  options: {
    priority: { type: 'string' },
    'markup-percent': { type: 'string' },
    fee: { type: 'string' },
    'low-balance': { type: 'string' },
    reason: { type: 'string' },
  },
  async run(ctx, args, io) {
    const [name, extra] = args.positionals;
    if (!name || extra !== undefined) throw new UsageError('name exactly one provider to change');
    const v = args.values;
    const reason = requireString(v.reason, 'reason');
    if (reason.length < 3 || reason.length > 500) throw new UsageError('--reason must be 3 to 500 characters');
    const [row] = await ctx.database.db
      .select({ id: providers.id })
      .from(providers)
      .where(and(eq(providers.name, name), isNull(providers.removedAt)));
    if (!row) throw new DomainError('NOT_FOUND', `There is no provider named "${name}" (see otpbox providers list).`);
    const view = await updateProviderTerms(
      commandCtx(ctx),
      row.id,
      {
        priority: optionalInt(v.priority, 'priority'),
        markupPercent: optionalString(v['markup-percent']),
        feeCredits: optionalInt(v.fee, 'fee'),
        lowBalance: optionalString(v['low-balance']),
      },
      reason,
    );
    io.stdout(
      `Provider "${view.name}": priority ${view.priority}, markup ${view.markupPercent} %, fee ${view.feeCredits} credits, ` +
        `low balance below ${view.lowBalance} ${view.currency}. Every instance reprices now.\n`,
    );
    return EXIT.ok;
  },
};
