import { isBitcoinAddress } from './bip21.ts';
import { type Decimal, parseDecimal } from './money.ts';

/**
 * The two Blockonomics calls a checkout makes (blockonomics.co/api, and its WooCommerce plugin,
 * which makes the same requests):
 *
 * - `POST {base}/api/new_address` with `Authorization: Bearer <key>` and an empty body answers
 *   `{address, reset?, account?}`. Each call moves the store's wallet to its next index. Errors come
 *   as `{message}` or `{error: {message}}` with a non-200 status; 401 means a wrong key.
 * - `GET {base}/api/price?currency=USD&crypto=BTC` (no key) answers `{price: <fiat per BTC>}`, and
 *   `{price: null}` for a currency Blockonomics does not quote.
 *
 * Expected failures are returned as typed results, never thrown (as the provider clients do).
 * Redirects are not followed (a redirect would carry the key elsewhere), and the key never appears
 * in a failure message.
 */

export const BLOCKONOMICS_DEFAULT_BASE = 'https://www.blockonomics.co';

export interface BlockonomicsClientOptions {
  /** BLOCKONOMICS_API_BASE; `https://www.blockonomics.co` and `…/api` both work. */
  baseUrl?: string;
  /** BLOCKONOMICS_API_KEY. */
  apiKey: string;
  /** Per request. Default 10 s (the plugin allows 8 s for new_address). */
  timeoutMs?: number;
  /**
   * Part of the callback URL of the Blockonomics store to take addresses from, for an account with
   * several stores (`match_callback`). Never the secret: the URL's path is enough.
   */
  matchCallback?: string;
}

export type BlockonomicsFailureKind =
  /** 401: the API key is wrong or revoked. */
  | 'bad_key'
  /** Blockonomics refused the request and said why (no store, no wallet, gap limit, …). */
  | 'rejected'
  /** `{price: null}`: no quote for this currency. */
  | 'unsupported_currency'
  | 'rate_limited'
  /** Unreachable, or a 5xx. */
  | 'unavailable'
  | 'timeout'
  /** An answer we cannot read: HTML, no address, a price that is not a positive number. */
  | 'protocol_error';

export interface BlockonomicsFailure {
  kind: BlockonomicsFailureKind;
  /** For logs and operators; Blockonomics' own words where it gave some. */
  message: string;
  status?: number;
  retryAfterMs?: number;
}

export type BlockonomicsResult<T> = { ok: true; value: T } | { ok: false; failure: BlockonomicsFailure };

export interface NewAddress {
  address: string;
  /** The wallet (xpub) it came from, when Blockonomics says. */
  account?: string;
}

export interface BtcPrice {
  currency: string;
  /** Fiat units for one bitcoin, exactly as quoted. */
  perBtc: Decimal;
}

export interface BlockonomicsCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface BlockonomicsApi {
  /** A fresh receiving address. `reset` re-issues the last one (Blockonomics' testing aid). */
  newAddress(options?: BlockonomicsCallOptions & { reset?: boolean }): Promise<BlockonomicsResult<NewAddress>>;
  priceOf(currency: string, options?: BlockonomicsCallOptions): Promise<BlockonomicsResult<BtcPrice>>;
}

const MAX_BODY_CHARS = 64 * 1024;

interface Reply {
  status: number;
  body: unknown;
  text: string;
  retryAfterMs?: number;
}

export function createBlockonomicsClient(options: BlockonomicsClientOptions): BlockonomicsApi {
  if (!options.apiKey) throw new TypeError('A Blockonomics API key is required');
  const api = apiRoot(options.baseUrl ?? BLOCKONOMICS_DEFAULT_BASE);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const redact = (text: string) => text.split(options.apiKey).join('[key]');

  async function request(
    method: 'GET' | 'POST',
    url: URL,
    auth: boolean,
    per: BlockonomicsCallOptions,
  ): Promise<BlockonomicsResult<Reply>> {
    const limit = per.timeoutMs ?? timeoutMs;
    const timeout = AbortSignal.timeout(limit);
    const signal = per.signal ? AbortSignal.any([per.signal, timeout]) : timeout;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (auth) headers.Authorization = `Bearer ${options.apiKey}`;
    const where = `${method} ${url.pathname}`;
    try {
      const response = await fetch(url, { method, headers, signal, redirect: 'manual' });
      const text = (await response.text()).slice(0, MAX_BODY_CHARS);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const seconds = Number(response.headers.get('retry-after') ?? Number.NaN);
      const retryAfterMs = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
      return { ok: true, value: { status: response.status, body, text, retryAfterMs } };
    } catch (error) {
      if (timeout.aborted) return failed('timeout', `Blockonomics ${where}: no answer within ${limit} ms`);
      if (per.signal?.aborted) return failed('timeout', `Blockonomics ${where}: the caller aborted the request`);
      return failed('unavailable', redact(`Blockonomics ${where}: cannot reach the server (${describe(error)})`));
    }
  }

  /** Statuses that mean the same on both endpoints; null when the reply is a 200 to read. */
  function classify(where: string, reply: Reply): BlockonomicsResult<never> | null {
    const { status, body, text } = reply;
    if (status === 200) return null;
    const said = errorMessage(body) ?? snippet(text);
    const message = redact(`Blockonomics ${where}: HTTP ${status}${said ? ` ${said}` : ''}`);
    if (status === 401) return failed('bad_key', message, status);
    if (status === 429) return failed('rate_limited', message, status, reply.retryAfterMs);
    if (status >= 500) return failed('unavailable', message, status);
    if (status >= 300 && status < 400) return failed('protocol_error', `${message} (redirect not followed)`, status);
    return failed(said ? 'rejected' : 'protocol_error', message, status);
  }

  return {
    async newAddress(per = {}) {
      const url = new URL(`${api}/new_address`);
      if (options.matchCallback) url.searchParams.set('match_callback', options.matchCallback);
      if (per.reset) url.searchParams.set('reset', '1');
      const reply = await request('POST', url, true, per);
      if (!reply.ok) return reply;
      const refused = classify('new_address', reply.value);
      if (refused) return refused;
      const body = reply.value.body as { address?: unknown; account?: unknown } | undefined;
      if (!isBitcoinAddress(body?.address)) {
        return failed('protocol_error', `Blockonomics new_address: no bitcoin address in ${snippet(reply.value.text)}`, 200);
      }
      return {
        ok: true,
        value: typeof body.account === 'string' ? { address: body.address, account: body.account } : { address: body.address },
      };
    },

    async priceOf(currency, per = {}) {
      if (!/^[A-Z]{3}$/.test(currency)) return failed('unsupported_currency', `Not an ISO 4217 currency code: ${JSON.stringify(currency)}`);
      const url = new URL(`${api}/price`);
      url.searchParams.set('currency', currency);
      url.searchParams.set('crypto', 'BTC');
      const reply = await request('GET', url, false, per);
      if (!reply.ok) return reply;
      const refused = classify('price', reply.value);
      if (refused) return refused;
      const body = reply.value.body as { price?: unknown } | undefined;
      if (body && typeof body === 'object' && body.price === null) {
        return failed('unsupported_currency', `Blockonomics has no bitcoin price in ${currency}`, 200);
      }
      const price = typeof body?.price === 'number' || typeof body?.price === 'string' ? parseDecimal(body.price) : null;
      if (!price || price.units <= 0n)
        return failed('protocol_error', `Blockonomics price: not a positive price in ${snippet(reply.value.text)}`, 200);
      return { ok: true, value: { currency, perBtc: price } };
    },
  };
}

/** `https://www.blockonomics.co`, `…/`, `…/api` and `…/api/` all name `https://www.blockonomics.co/api`. */
export function apiRoot(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TypeError(`The Blockonomics base URL must be http(s), not ${url.protocol}`);
  if (url.username || url.password) throw new TypeError('The Blockonomics base URL must not contain credentials');
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path.endsWith('/api') ? path : `${path}/api`}`;
}

function failed<T = never>(kind: BlockonomicsFailureKind, message: string, status?: number, retryAfterMs?: number): BlockonomicsResult<T> {
  const failure: BlockonomicsFailure = { kind, message };
  if (status !== undefined) failure.status = status;
  if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
  return { ok: false, failure };
}

/** `{message}` or `{error: {message}}`, the two shapes the plugin reads. */
function errorMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const { message, error } = body as { message?: unknown; error?: unknown };
  if (typeof message === 'string' && message) return message.slice(0, 200);
  if (typeof error === 'string' && error) return error.slice(0, 200);
  if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
    return ((error as { message: string }).message || undefined)?.slice(0, 200);
  }
  return undefined;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}
