import { addGateway, listGatewayAccountNumbers, listGateways, removeGateway } from '../modules/pool/index.ts';
import { commandCtx, requireString } from './admin.ts';
import { formatTable } from './table.ts';
import { type CommandDefinition, EXIT, UsageError } from './types.ts';

const TOKEN_ENV = 'OTPBOX_GATEWAY_SECRET';
const optionalString = (value: unknown) => (typeof value === 'string' ? value : undefined);

export const gatewaysAddCommand: CommandDefinition = {
  path: ['gateways', 'add'],
  summary: 'Connect one of your own SMS gateways (an Android phone, a Twilio account, an SMPP link) to the number pool',
  usage:
    'otpbox gateways add --kind android-sms-gateway|twilio|smpp --name NAME ' +
    '[twilio: --account-sid AC… --auth-token TOKEN [--api-base URL]] ' +
    `[smpp: --host HOST [--port 2775] --system-id ID --password PW [--bind receiver|transceiver] [--tls]]  (or the token/password in ${TOKEN_ENV})`,
  options: {
    kind: { type: 'string' },
    name: { type: 'string' },
    'account-sid': { type: 'string' },
    'auth-token': { type: 'string' },
    'api-base': { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'system-id': { type: 'string' },
    password: { type: 'string' },
    bind: { type: 'string' },
    tls: { type: 'boolean' },
  },
  env: [TOKEN_ENV],
  async run(ctx, args, io) {
    const v = args.values;
    const kind = requireString(v.kind, 'kind');
    const secret = io.env[TOKEN_ENV];
    const added = await addGateway(commandCtx(ctx), {
      kind,
      name: requireString(v.name, 'name'),
      accountSid: optionalString(v['account-sid']),
      authToken: optionalString(v['auth-token']) ?? (kind === 'twilio' ? secret : undefined),
      apiBase: optionalString(v['api-base']),
      host: optionalString(v.host),
      port: optionalString(v.port),
      systemId: optionalString(v['system-id']),
      password: optionalString(v.password) ?? (kind === 'smpp' ? secret : undefined),
      bindAs: optionalString(v.bind),
      tls: v.tls === true ? true : undefined,
    });
    const { gateway } = added;
    io.stdout(`Added ${gateway.kind} gateway "${gateway.name}" (${gateway.id}).\n`);
    if (added.poolCreated)
      io.stdout(
        'Created the provider "pool" (your own numbers): it is in `otpbox providers list`, with priority, markup and fee like any provider.\n',
      );
    if (gateway.kind === 'android-sms-gateway') {
      io.stdout(
        [
          'In the SMS Gateway for Android app on the phone:',
          `  1. Settings → Webhooks → Signing Key: set it to this key (shown once, stored encrypted):\n       ${added.signingKey}`,
          '  2. Register two webhooks (Local Server: POST http://<phone-ip>:8080/webhooks with the credentials of its Home tab;',
          '     Cloud: POST https://api.sms-gate.app/3rdparty/v1/webhooks), one per event, both to this URL:',
          `       ${added.webhookUrl}`,
          '     {"url": "<the URL>", "event": "sms:received"} and {"url": "<the URL>", "event": "system:ping"}',
          '  3. Settings → Ping: turn it on (every few minutes), so that otpbox knows the phone is alive.',
          `Then add its numbers: otpbox numbers add --gateway ${gateway.name} --number +E164 --device <device id> --sim <slot>`,
          '',
        ].join('\n'),
      );
    } else if (gateway.kind === 'twilio') {
      io.stdout(
        [
          'In the Twilio console, for each number: Phone Numbers → the number → Messaging → "A message comes in":',
          `  Webhook, HTTP POST, ${added.webhookUrl}`,
          `  (PUBLIC_URL must be exactly the address Twilio calls: the signature covers the URL.)`,
          `Then add the numbers: otpbox numbers add --gateway ${gateway.name} --number +E164`,
          `and check them: otpbox gateways numbers ${gateway.name} (the account's numbers, in the pool or not, webhook set or not)`,
          '',
        ].join('\n'),
      );
    } else {
      io.stdout(
        `otpbox binds to ${gateway.settings.tls ? 'ssmpp' : 'smpp'}://${gateway.settings.host}:${gateway.settings.port} as a ${gateway.settings.bindAs}.\n` +
          `Then add the numbers it receives for: otpbox numbers add --gateway ${gateway.name} --number +E164\n`,
      );
    }
    return EXIT.ok;
  },
};

export const gatewaysListCommand: CommandDefinition = {
  path: ['gateways', 'list'],
  summary: 'List your SMS gateways: kind, state, when last heard from, numbers',
  usage: 'otpbox gateways list [--json]',
  options: { json: { type: 'boolean' } },
  async run(ctx, args, io) {
    const listed = await listGateways(ctx.database.db);
    if (args.values.json) {
      io.stdout(`${JSON.stringify(listed, null, 2)}\n`);
      return EXIT.ok;
    }
    if (listed.length === 0) {
      io.stdout('No gateways. Connect one with `otpbox gateways add` (see "Own numbers" in the README).\n');
      return EXIT.ok;
    }
    io.stdout(
      formatTable([
        ['NAME', 'KIND', 'STATE', 'LAST SEEN', 'NUMBERS'],
        ...listed.map((g) => [
          g.name,
          g.kind,
          g.state,
          g.lastSeenAt ? g.lastSeenAt.replace('T', ' ').slice(0, 19) : 'never',
          String(g.numbers),
        ]),
      ]),
    );
    return EXIT.ok;
  },
};

export const gatewaysRemoveCommand: CommandDefinition = {
  path: ['gateways', 'remove'],
  summary: 'Disconnect a gateway and take its numbers out of the pool (refused while one is rented)',
  usage: 'otpbox gateways remove NAME',
  allowPositionals: true,
  async run(ctx, args, io) {
    const [name, extra] = args.positionals;
    if (!name || extra !== undefined) throw new UsageError('name exactly one gateway to remove');
    const removed = await removeGateway(commandCtx(ctx), name);
    io.stdout(`Removed gateway "${name}" and its ${removed.numbers} number(s); its stored secret is no longer used.\n`);
    return EXIT.ok;
  },
};

export const gatewaysNumbersCommand: CommandDefinition = {
  path: ['gateways', 'numbers'],
  summary: 'List the numbers of a Twilio gateway’s account: which are in the pool, which send their SMS to otpbox',
  usage: 'otpbox gateways numbers NAME [--json]',
  options: { json: { type: 'boolean' } },
  allowPositionals: true,
  async run(ctx, args, io) {
    const [name, extra] = args.positionals;
    if (!name || extra !== undefined) throw new UsageError('name exactly one Twilio gateway');
    const listed = await listGatewayAccountNumbers(commandCtx(ctx), name);
    if (!listed.ok) {
      const { kind, message } = listed.failure;
      const advice =
        kind === 'bad_credentials'
          ? `Twilio refused the stored Account SID and Auth Token. If the token was rotated, connect the gateway again: otpbox gateways remove ${name}, then gateways add with the primary Auth Token.`
          : kind === 'protocol_error'
            ? 'Twilio answered something otpbox cannot read (is --api-base right?).'
            : 'Twilio could not be reached or is busy: try again shortly.';
      io.stderr(`Cannot list the numbers of "${name}" (${kind}): ${message}\n${advice}\n`);
      return kind === 'bad_credentials' || kind === 'protocol_error' ? EXIT.config : EXIT.unavailable;
    }
    if (args.values.json) {
      io.stdout(`${JSON.stringify(listed.numbers, null, 2)}\n`);
      return EXIT.ok;
    }
    if (listed.numbers.length === 0) {
      io.stdout(`The Twilio account of "${name}" has no phone numbers.\n`);
      return EXIT.ok;
    }
    io.stdout(
      formatTable([
        ['NUMBER', 'NAME', 'IN POOL', 'A MESSAGE COMES IN'],
        ...listed.numbers.map((n) => [
          n.number,
          n.friendlyName,
          n.inPool ? 'yes' : n.otherGateway ? `on ${n.otherGateway}` : 'no',
          n.smsUrlIsOurs ? 'otpbox' : n.smsUrl ? `elsewhere: ${n.smsUrl}` : 'not set',
        ]),
      ]),
    );
    const notOurs = listed.numbers.filter((n) => n.inPool && !n.smsUrlIsOurs);
    if (notOurs.length > 0)
      io.stdout(
        `\n${notOurs.length} number(s) in the pool do not send their SMS here: in the Twilio console set "A message comes in" to Webhook, HTTP POST, ${listed.webhookUrl}\n`,
      );
    return EXIT.ok;
  },
};
