import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Blockonomics API on 127.0.0.1 (random port), written from its public documentation:
 * `POST /api/new_address` (Bearer key, empty body) hands out a distinct P2WPKH `bc1q…` address per
 * call (real Bech32 checksums), `reset=1` repeats the last one, `match_callback` is recorded;
 * `GET /api/price?currency=…` answers `{price}` or `{price: null}`. Errors look like Blockonomics'
 * (`{message}` with a non-200 status). `fireCallback` plays Blockonomics calling the store back:
 * an HTTP GET with `secret, status, addr, value, txid[, rbf]`.
 */

export type FakeEndpoint = 'new_address' | 'price';

export interface FakeReply {
  status: number;
  /** A JSON value (serialised) or raw text. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer this late (to test timeouts). */
  delayMs?: number;
}

export interface FakeBlockonomicsRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeBlockonomicsOptions {
  apiKey?: string;
  /** Fiat per BTC by currency; `null` answers `{price: null}`. Default: USD 65000.5, EUR 60000, JPY 9750000. */
  prices?: Record<string, number | null>;
}

export interface CallbackParams {
  secret: string;
  addr: string;
  status: -1 | 0 | 1 | 2;
  /** Satoshis. */
  value: number;
  txid: string;
  rbf?: boolean;
}

export interface FakeBlockonomics {
  baseUrl: string;
  apiKey: string;
  /** How many times each endpoint was called (failures included). */
  calls: Record<FakeEndpoint, number>;
  requests: FakeBlockonomicsRequest[];
  /** Every address handed out, in order. */
  issued: string[];
  setPrice(currency: string, price: number | null): void;
  /** The next call to `endpoint` gets this reply instead (queued, one per call); `'reset'` drops the connection. */
  failNext(endpoint: FakeEndpoint, reply: FakeReply | 'reset'): void;
  /** Blockonomics calls `url` back; resolves to the store's HTTP answer. */
  fireCallback(url: string, params: CallbackParams): Promise<{ status: number; body: string }>;
  /**
   * One transaction confirming, as Blockonomics reports it: callbacks with status 0, 1, … up to
   * `upTo` (default 2) for the same txid (random unless given). Resolves to the store's answers.
   */
  fireConfirmations(
    url: string,
    params: Omit<CallbackParams, 'status' | 'txid'> & { txid?: string; upTo?: 0 | 1 | 2 },
  ): Promise<{ txid: string; answers: { status: number; body: string }[] }>;
  close(): Promise<void>;
}

const DEFAULT_PRICES: Record<string, number | null> = { USD: 65000.5, EUR: 60000, JPY: 9750000 };

export async function startFakeBlockonomics(options: FakeBlockonomicsOptions = {}): Promise<FakeBlockonomics> {
  const apiKey = options.apiKey ?? `bk_${randomBytes(16).toString('hex')}`;
  const prices = new Map(Object.entries(options.prices ?? DEFAULT_PRICES));
  const calls: Record<FakeEndpoint, number> = { new_address: 0, price: 0 };
  const requests: FakeBlockonomicsRequest[] = [];
  const issued: string[] = [];
  const scripted: Record<FakeEndpoint, (FakeReply | 'reset')[]> = { new_address: [], price: [] };
  const seed = randomBytes(8);
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const request = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const endpoint = url.pathname === '/api/new_address' ? 'new_address' : url.pathname === '/api/price' ? 'price' : null;
      if (!endpoint) return send(res, { status: 404, body: { message: 'Not found' } });
      calls[endpoint] += 1;
      const next = scripted[endpoint].shift();
      if (next === 'reset') return void req.socket.destroy();
      if (next) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(res, next);
        }, next.delayMs ?? 0);
        return void timers.add(timer);
      }
      if (endpoint === 'new_address') return newAddress(request, res);
      return price(request, res);
    });
  });

  function newAddress(request: FakeBlockonomicsRequest, res: ServerResponse): void {
    const last = issued.at(-1);
    if (request.method !== 'POST') send(res, { status: 405, body: { message: 'Method not allowed' } });
    else if (request.headers.authorization !== `Bearer ${apiKey}`) send(res, { status: 401, body: { message: 'Invalid API key' } });
    else if (request.query.reset === '1' && last) send(res, { status: 200, body: { address: last, reset: 1 } });
    else issueAddress(res);
  }

  function issueAddress(res: ServerResponse): void {
    const address = segwitV0Address(createHash('sha256').update(seed).update(String(issued.length)).digest().subarray(0, 20));
    issued.push(address);
    send(res, { status: 200, body: { address } });
  }

  function price(request: FakeBlockonomicsRequest, res: ServerResponse): void {
    const currency = (request.query.currency ?? '').toUpperCase();
    if (request.method !== 'GET') send(res, { status: 405, body: { message: 'Method not allowed' } });
    else send(res, { status: 200, body: { price: prices.get(currency) ?? null } });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fireCallback: FakeBlockonomics['fireCallback'] = async (url, params) => {
    const target = new URL(url);
    target.searchParams.set('secret', params.secret);
    target.searchParams.set('status', String(params.status));
    target.searchParams.set('addr', params.addr);
    target.searchParams.set('value', String(params.value));
    target.searchParams.set('txid', params.txid);
    if (params.rbf) target.searchParams.set('rbf', '1');
    const response = await fetch(target, { method: 'GET' });
    return { status: response.status, body: await response.text() };
  };

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey,
    calls,
    requests,
    issued,
    setPrice: (currency, value) => void prices.set(currency.toUpperCase(), value),
    failNext: (endpoint, reply) => void scripted[endpoint].push(reply),
    fireCallback,
    fireConfirmations: async (url, { upTo = 2, txid = randomTxid(), ...params }) => {
      const answers: { status: number; body: string }[] = [];
      for (let status = 0; status <= upTo; status++) {
        answers.push(await fireCallback(url, { ...params, txid, status: status as 0 | 1 | 2, rbf: status === 0 && params.rbf }));
      }
      return { txid, answers };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A random transaction id: 64 hex characters. */
export function randomTxid(): string {
  return randomBytes(32).toString('hex');
}

function send(res: ServerResponse, reply: FakeReply): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
  const type = typeof reply.body === 'string' ? 'text/html' : 'application/json';
  res.writeHead(reply.status, { 'content-type': type, ...reply.headers });
  res.end(text);
}

// Bech32 (BIP 173), enough to encode a segwit v0 address.
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function polymod(values: number[]): number {
  const generators = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const value of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= generators[i] as number;
  }
  return chk >>> 0;
}

/** A segwit v0 address for a 20- or 32-byte program, e.g. to make valid-looking addresses in tests. */
export function segwitV0Address(program: Buffer, hrp = 'bc'): string {
  const words = [0];
  let acc = 0;
  let bits = 0;
  for (const byte of program) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      words.push((acc >>> bits) & 31);
    }
  }
  if (bits > 0) words.push((acc << (5 - bits)) & 31);
  const expanded = [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31)];
  const mod = polymod([...expanded, ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...words, ...checksum].map((w) => CHARSET[w]).join('')}`;
}
