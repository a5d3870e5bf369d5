import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMS_ACTIVATE_COUNTRIES } from '../../src/provider-clients/sms-activate/countries.ts';

/**
 * A fake SMS-Activate `handler_api.php` server on 127.0.0.1, written from the protocol's public
 * documentation: text replies with HTTP 200 for answers and errors alike, JSON for catalogue and V2
 * actions, GET query strings and POST form bodies, and a setStatus state machine. Modes turn it into
 * a broken upstream (slow, down, garbage, banned, …); `scriptReply` makes it answer anything once.
 */

export type FakeSmsActivateMode =
  | 'normal'
  | 'no_numbers'
  | 'slow'
  /** Takes the request and never answers (until `close`). */
  | 'hang'
  | 'down'
  | 'garbage'
  /** A JSON reply cut off in the middle, as from a proxy that dropped the connection. */
  | 'truncated_json'
  | 'bad_key'
  | 'banned'
  | 'error_sql'
  | 'rate_limited';

export interface FakePrice {
  /** SMS-Activate numeric country id. */
  country: number;
  service: string;
  /** Decimal, as quoted: `'0.15'`. */
  cost: string;
  count: number;
  /** HeroSMS-style real stock; sent only when set. */
  physicalCount?: number;
}

export interface FakeModeSettings {
  /** `slow`: delay before every reply. Default 2000 ms. */
  delayMs?: number;
  /** `slow`: only these actions are slow (e.g. `getNumberV2`: the number is sold, the answer comes late). */
  actions?: string[];
  /** `down`: destroy the socket (default) or answer 503. */
  down?: 'reset' | '503';
  /** `rate_limited`: the Retry-After header, in seconds. Default 7. */
  retryAfterSeconds?: number;
  /** `banned`: the time in the reply, `YYYY-m-d H-i-s`. */
  bannedUntil?: string;
}

export interface FakeSmsActivateOptions {
  apiKey?: string;
  /** Decimal balance. Default `'100'`. */
  balance?: string;
  prices?: FakePrice[];
  /** setStatus 8 is EARLY_CANCEL_DENIED until this long after purchase. Default 0. */
  cancelWindowMs?: number;
  /**
   * `json`: getNumberV2/getStatusV2 answer JSON (default). `v1`: they answer like getNumber/getStatus
   * (some clones). `unsupported`: BAD_ACTION.
   */
  v2?: 'json' | 'v1' | 'unsupported';
  /** getPrices wrapped in an array, as HeroSMS sometimes does. */
  wrapPrices?: boolean;
  /** getActiveActivations as SMS-Activate documents it (default) or as HeroSMS answers (`rows`). */
  activeStyle?: 'sms-activate' | 'herosms';
  /** Milliseconds since the epoch; for the cancel window. Default Date.now. */
  now?: () => number;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The parsed form body of a POST (empty for GET). */
  form: Record<string, string>;
  /** Query and form together, as the server reads them. */
  params: Record<string, string>;
}

export type FakeActivationState = 'waiting' | 'received' | 'retry' | 'resend' | 'finished' | 'cancelled';

export interface FakeSms {
  text: string;
  code: string;
  receivedAt: Date;
  /** Arrived after the activation was cancelled or finished. */
  late: boolean;
}

export interface FakeActivation {
  id: string;
  service: string;
  country: number;
  phone: string;
  cost: string;
  state: FakeActivationState;
  createdAt: number;
  sms: FakeSms[];
}

export interface ScriptedReply {
  body: string;
  status?: number;
  headers?: Record<string, string>;
}

export interface FakeSmsActivate {
  baseUrl: string;
  apiKey: string;
  requests: FakeRequest[];
  activations: Map<string, FakeActivation>;
  readonly mode: FakeSmsActivateMode;
  setMode(mode: FakeSmsActivateMode, settings?: FakeModeSettings): void;
  /** The next request for `action` gets this reply instead (queued; one per call). */
  scriptReply(action: string, reply: string | ScriptedReply): void;
  /** An SMS arrives. Works on cancelled and finished activations too (recorded as late). */
  deliverSms(activationId: string, sms: { text: string; code: string }): FakeSms;
  /** Put an activation in a state directly (e.g. `resend`, which only the provider's side causes). */
  setState(activationId: string, state: FakeActivationState): void;
  /** POST the protocol's webhook payload for the activation's last SMS (or the given one) to `webhookUrl`. */
  pushSms(webhookUrl: string, activationId: string, sms?: { text?: string | null; code?: string | null }): Promise<number>;
  balance(): string;
  close(): Promise<void>;
}

const DEFAULT_PRICES: FakePrice[] = [
  { country: 187, service: 'tg', cost: '0.50', count: 120, physicalCount: 40 },
  { country: 6, service: 'wa', cost: '0.25', count: 30 },
  { country: 16, service: 'go', cost: '1.10', count: 8 },
];

const DIAL_PREFIX: Readonly<Record<number, string>> = { 0: '7', 6: '62', 12: '1', 16: '44', 22: '91', 187: '1' };

export async function startFakeSmsActivate(options: FakeSmsActivateOptions = {}): Promise<FakeSmsActivate> {
  const apiKey = options.apiKey ?? `key_${randomBytes(12).toString('hex')}`;
  const now = options.now ?? Date.now;
  const cancelWindowMs = options.cancelWindowMs ?? 0;
  const v2 = options.v2 ?? 'json';
  const prices = (options.prices ?? DEFAULT_PRICES).map((price) => ({ ...price }));
  const requests: FakeRequest[] = [];
  const activations = new Map<string, FakeActivation>();
  const scripted = new Map<string, ScriptedReply[]>();
  const timers = new Set<NodeJS.Timeout>();
  let balance = toMicros(options.balance ?? '100');
  let mode: FakeSmsActivateMode = 'normal';
  let settings: FakeModeSettings = {};
  let nextId = 1_000_000;

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => handle(req, res, raw))
      .catch(() => res.destroy());
  });

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const form = req.method === 'POST' && isForm ? Object.fromEntries(new URLSearchParams(raw)) : {};
    const params = { ...query, ...form };
    requests.push({ method: req.method ?? '', path: url.pathname, query, headers: req.headers, form, params });

    if (mode === 'down' && settings.down !== '503') {
      req.socket.destroy();
      return;
    }
    if (mode === 'hang') return;
    const reply = answer(url.pathname, params);
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(reply.status ?? 200, { 'content-type': 'text/html; charset=utf-8', ...reply.headers });
      res.end(reply.body);
    };
    if (mode === 'slow' && (!settings.actions || settings.actions.includes(params.action ?? ''))) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, settings.delayMs ?? 2000);
      timers.add(timer);
    } else send();
  }

  function answer(path: string, params: Record<string, string>): ScriptedReply {
    if (mode === 'down') return { status: 503, body: 'Service Unavailable' };
    if (mode === 'rate_limited')
      return { status: 429, body: 'Too Many Requests', headers: { 'retry-after': String(settings.retryAfterSeconds ?? 7) } };
    if (mode === 'garbage')
      return { body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>' };
    if (mode === 'truncated_json')
      return { body: '{"activationId":1000001,"phoneNumber":"7955', headers: { 'content-type': 'application/json' } };
    if (path !== '/stubs/handler_api.php') return { status: 404, body: 'Not Found' };
    const action = params.action ?? '';
    const queued = scripted.get(action)?.shift();
    if (queued) return queued;
    if (params.api_key === undefined || params.api_key === '') return text('NO_KEY');
    if (mode === 'bad_key' || params.api_key !== apiKey) return text('BAD_KEY');
    if (mode === 'banned') return text(`BANNED:'${settings.bannedUntil ?? '2030-1-1 0-0-0'}'`);
    if (mode === 'error_sql') return text('ERROR_SQL');
    switch (action) {
      case 'getBalance':
        return text(`ACCESS_BALANCE:${fromMicros(balance)}`);
      case 'getCountries':
        return json(countries());
      case 'getPrices':
        return json(priceTable(params));
      case 'getNumbersStatus':
        return json(numbersStatus(params));
      case 'getNumber':
        return getNumber(params, 'v1');
      case 'getNumberV2':
        return v2 === 'unsupported' ? text('BAD_ACTION') : getNumber(params, v2 === 'json' ? 'v2' : 'v1');
      case 'getStatus':
        return getStatus(params, 'v1');
      case 'getStatusV2':
        return v2 === 'unsupported' ? text('BAD_ACTION') : getStatus(params, v2 === 'json' ? 'v2' : 'v1');
      case 'setStatus':
        return setStatus(params);
      case 'getActiveActivations':
        return activeActivations();
      default:
        return text('BAD_ACTION');
    }
  }

  function getNumber(params: Record<string, string>, style: 'v1' | 'v2'): ScriptedReply {
    const service = params.service ?? '';
    if (!/^[a-z0-9]{2,6}$/.test(service)) return text('BAD_SERVICE');
    const country = Number(params.country ?? '0');
    if (mode === 'no_numbers') return text('NO_NUMBERS');
    const price = prices.find((entry) => entry.country === country && entry.service === service);
    const stock = price ? (price.physicalCount ?? price.count) : 0;
    if (!price || stock <= 0) return text('NO_NUMBERS');
    const cost = toMicros(price.cost);
    if (params.maxPrice !== undefined && toMicros(params.maxPrice) < cost) return text(`WRONG_MAX_PRICE:${price.cost}`);
    if (balance < cost) return text('NO_BALANCE');
    balance -= cost;
    price.count -= 1;
    if (price.physicalCount !== undefined) price.physicalCount -= 1;
    const id = String(nextId++);
    const prefix = DIAL_PREFIX[country] ?? '99';
    const phone = `${prefix}${id.padStart(11 - prefix.length, '5')}`;
    const createdAt = now();
    activations.set(id, { id, service, country, phone, cost: price.cost, state: 'waiting', createdAt, sms: [] });
    if (style === 'v1') return text(`ACCESS_NUMBER:${id}:${phone}`);
    return json({
      activationId: Number(id),
      phoneNumber: phone,
      activationCost: Number(price.cost),
      currency: 840,
      countryCode: String(country),
      canGetAnotherSms: '1',
      activationTime: naiveTime(new Date(createdAt)),
      activationOperator: 'any',
    });
  }

  function getStatus(params: Record<string, string>, style: 'v1' | 'v2'): ScriptedReply {
    const activation = activations.get(params.id ?? '');
    if (!activation) return text('NO_ACTIVATION');
    const last = activation.sms.filter((sms) => !sms.late).at(-1);
    if (style === 'v2' && last && activation.state !== 'cancelled')
      return json({
        verificationType: 0,
        sms: { dateTime: naiveTime(last.receivedAt), code: last.code, text: last.text },
        call: null,
      });
    switch (activation.state) {
      case 'waiting':
        return text('STATUS_WAIT_CODE');
      case 'resend':
        return text('STATUS_WAIT_RESEND');
      case 'retry':
        return text(`STATUS_WAIT_RETRY:${last?.code ?? ''}`);
      case 'received':
      case 'finished':
        return text(`STATUS_OK:${last?.code ?? ''}`);
      case 'cancelled':
        return text('STATUS_CANCEL');
    }
  }

  /** setStatus: 1 ready, 3 another SMS, 6 complete (needs a code), 8 / -1 cancel (before any code). */
  function setStatus(params: Record<string, string>): ScriptedReply {
    const activation = activations.get(params.id ?? '');
    if (!activation) return text('NO_ACTIVATION');
    const { state } = activation;
    const hasCode = state === 'received' || state === 'retry' || state === 'resend';
    switch (params.status) {
      case '1':
        return state === 'waiting' ? text('ACCESS_READY') : text('BAD_STATUS');
      case '3':
        if (!hasCode) return text('BAD_STATUS');
        activation.state = 'retry';
        return text('ACCESS_RETRY_GET');
      case '6':
        if (!hasCode) return text('BAD_STATUS');
        activation.state = 'finished';
        return text('ACCESS_ACTIVATION');
      case '8':
      case '-1':
        if (state === 'cancelled') return text('ACCESS_CANCEL_ALREADY');
        if (state !== 'waiting') return text('BAD_STATUS');
        if (now() - activation.createdAt < cancelWindowMs) return text('EARLY_CANCEL_DENIED');
        activation.state = 'cancelled';
        balance += toMicros(activation.cost);
        return text('ACCESS_CANCEL');
      default:
        return text('BAD_STATUS');
    }
  }

  /** Open activations (waiting, or a code received and not yet finished). */
  function activeActivations(): ScriptedReply {
    const open = [...activations.values()].filter((a) => a.state !== 'finished' && a.state !== 'cancelled');
    if (open.length === 0) return text('NO_ACTIVATIONS');
    if (options.activeStyle === 'herosms') {
      return json({
        status: 'success',
        activeActivations: {
          rows: open.map((a) => ({
            id: Number(a.id),
            phone: a.phone,
            status: a.sms.length > 0 ? 2 : 1,
            code: a.sms.at(-1)?.code ?? null,
            text: a.sms.at(-1)?.text ?? null,
          })),
        },
      });
    }
    return json({
      status: 'success',
      activeActivations: open.map((a) => ({
        activationId: a.id,
        serviceCode: a.service,
        phoneNumber: a.phone,
        activationCost: a.cost,
        activationStatus: a.sms.length > 0 ? '2' : '4',
        smsCode: a.sms.at(-1)?.code ?? null,
        smsText: a.sms.at(-1)?.text ?? null,
        activationTime: naiveTime(new Date(a.createdAt)),
        discount: '0.00',
        repeated: '0',
        countryCode: String(a.country),
        countryName: '',
        canGetAnotherSms: '1',
      })),
    });
  }

  function priceTable(params: Record<string, string>): unknown {
    const table: Record<string, Record<string, Record<string, number>>> = {};
    for (const price of prices) {
      if (params.country !== undefined && String(price.country) !== params.country) continue;
      if (params.service !== undefined && price.service !== params.service) continue;
      const entry: Record<string, number> = { cost: Number(price.cost), count: price.count };
      if (price.physicalCount !== undefined) entry.physicalCount = price.physicalCount;
      table[String(price.country)] = { ...table[String(price.country)], [price.service]: entry };
    }
    return options.wrapPrices ? [table] : table;
  }

  function numbersStatus(params: Record<string, string>): Record<string, number> {
    const country = Number(params.country ?? '0');
    return Object.fromEntries(prices.filter((price) => price.country === country).map((price) => [`${price.service}_0`, price.count]));
  }

  const started = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo));
  });

  return {
    baseUrl: `http://127.0.0.1:${started.port}`,
    apiKey,
    requests,
    activations,
    get mode() {
      return mode;
    },
    setMode(next, nextSettings = {}) {
      mode = next;
      settings = nextSettings;
    },
    scriptReply(action, reply) {
      const queue = scripted.get(action) ?? [];
      queue.push(typeof reply === 'string' ? { body: reply } : reply);
      scripted.set(action, queue);
    },
    deliverSms(activationId, sms) {
      const activation = mustFind(activationId);
      const late = activation.state === 'cancelled' || activation.state === 'finished';
      const delivered: FakeSms = { ...sms, receivedAt: new Date(now()), late };
      activation.sms.push(delivered);
      if (!late) activation.state = 'received';
      return delivered;
    },
    setState(activationId, state) {
      mustFind(activationId).state = state;
    },
    async pushSms(webhookUrl, activationId, sms) {
      const activation = mustFind(activationId);
      const last = activation.sms.at(-1);
      const payload = {
        activationId: Number(activation.id),
        service: activation.service,
        text: sms?.text === undefined ? (last?.text ?? null) : sms.text,
        code: sms?.code === undefined ? (last?.code ?? null) : sms.code,
        country: activation.country,
        receivedAt: naiveTime(last?.receivedAt ?? new Date(now())),
      };
      const response = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
      await response.body?.cancel();
      return response.status;
    },
    balance: () => fromMicros(balance),
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function mustFind(activationId: string): FakeActivation {
    const activation = activations.get(activationId);
    if (!activation) throw new Error(`fake SMS-Activate: no activation ${activationId}`);
    return activation;
  }
}

function text(body: string): ScriptedReply {
  return { body };
}

function json(value: unknown): ScriptedReply {
  return { body: JSON.stringify(value), headers: { 'content-type': 'application/json' } };
}

function countries(): Record<string, unknown> {
  return Object.fromEntries(
    SMS_ACTIVATE_COUNTRIES.map((country) => [
      String(country.id),
      { id: country.id, rus: '', eng: country.name, chn: '', visible: 1, retry: 1, rent: 0, multiService: 0 },
    ]),
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The protocol's `2022-06-01 17:30:57` (no zone); the fake writes UTC. */
function naiveTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function toMicros(decimal: string): number {
  const [whole = '0', fraction = ''] = decimal.trim().split('.');
  return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

function fromMicros(micros: number): string {
  const fraction = String(micros % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '')
    .padEnd(2, '0');
  return `${Math.floor(micros / 1_000_000)}.${fraction}`;
}
