import {
  type Balance,
  type BuyRequest,
  type CallOptions,
  fail,
  type Micros,
  type Offers,
  ok,
  type ProviderPort,
  type PurchasedNumber,
  type Result,
  type UpstreamActivation,
  type UpstreamStatus,
} from '../port.ts';
import { type FivesimHttpConfig, fivesimGet } from './http.ts';
import { fivesimCountryFromIso, fivesimProductFromService } from './names.ts';
import { type FivesimStatus, readActiveOrders, readBalance, readOffers, readOrder, readPurchase, readStatus } from './parse.ts';

export interface FivesimOptions {
  /** Our name for this provider account (routes, logs). */
  name: string;
  /** The API key from the 5sim account settings: a JWT sent as a bearer token. */
  apiKey: string;
  baseUrl?: string;
  /**
   * ISO 4217 code of the account's amounts. 5sim's documentation gives amounts (`balance`, `cost`,
   * `price`) as bare numbers and never names their currency. Older clients treat them as roubles;
   * live answers captured by clients in 2025–2026 (prices such as 0.0385 for a number, which only
   * make sense in dollars) and a client that verified its profile call against the live API read
   * them as US dollars. Set this to what the account's balance page shows.
   */
  currency?: string;
  timeoutMs?: number;
}

/**
 * The 5sim adapter (5sim.net/docs, REST API `https://5sim.net/v1`, bearer token).
 *
 * Privacy (P7): besides the country, product and `maxPrice` in the buy call, nothing is sent: no
 * `forwarding`, `number`, `reuse`, `voice` or `ref` parameter, and the token only to `user/*`.
 * 5sim documents no webhooks, so there is no `parsePush`: orders are polled with `checkStatus`.
 */
export class FivesimProvider implements ProviderPort {
  readonly kind = '5sim' as const;
  readonly name: string;
  readonly currency: string;
  readonly #http: FivesimHttpConfig;

  constructor(options: FivesimOptions) {
    const { name, apiKey, baseUrl = 'https://5sim.net/v1', currency = 'USD', timeoutMs = 10_000 } = options;
    if (name.trim() === '') throw new Error('5sim provider: name is empty');
    if (apiKey.trim() === '') throw new Error('5sim provider: apiKey is empty');
    if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`5sim provider: currency ${JSON.stringify(currency)} is not an ISO 4217 code`);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new Error(`5sim provider: timeoutMs ${timeoutMs} is not a positive integer`);
    const url = new URL(baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new Error(`5sim provider: baseUrl must be http(s), got ${url.protocol}`);
    this.name = name;
    this.currency = currency;
    this.#http = { baseUrl: baseUrl.replace(/\/+$/, ''), apiKey: apiKey.trim(), timeoutMs };
  }

  async fetchOffers(options?: CallOptions): Promise<Result<Offers>> {
    const answer = await fivesimGet(this.#http, { segments: ['guest', 'prices'], auth: false }, options);
    if (!answer.ok) return answer;
    const offers = readOffers(answer.value);
    return offers.ok ? ok({ currency: this.currency, offers: offers.value }) : offers;
  }

  async buyNumber(request: BuyRequest, options?: CallOptions): Promise<Result<PurchasedNumber>> {
    const product = fivesimProductFromService(request.service);
    if (!product) return fail('bad_service', `5sim: no product is mapped for service ${JSON.stringify(request.service)}`);
    const country = fivesimCountryFromIso(request.country);
    if (!country) return fail('bad_country', `5sim: no country is mapped for ${JSON.stringify(request.country)}`);
    // maxPrice only works with operator `any` (5sim.net/docs#purchase-request), so the operator is always `any`.
    const query = request.maxCost === undefined ? undefined : { maxPrice: microsToDecimal(request.maxCost) };
    const answer = await fivesimGet(
      this.#http,
      { segments: ['user', 'buy', 'activation', country, 'any', product], auth: true, ...(query ? { query } : {}) },
      options,
    );
    return answer.ok ? readPurchase(answer.value) : answer;
  }

  async checkStatus(upstreamId: string, options?: CallOptions): Promise<Result<UpstreamStatus>> {
    const id = orderId(upstreamId);
    if (!id.ok) return id;
    const answer = await fivesimGet(this.#http, { segments: ['user', 'check', id.value], auth: true, orderCall: true }, options);
    return answer.ok ? readStatus(answer.value, 'user/check') : answer;
  }

  /**
   * Nothing to ask for: a 5sim activation keeps receiving every SMS sent to the number until it is
   * finished, cancelled or times out ("receive an unlimited quantity of messages from the selected
   * site or app", 5sim's feature list; `sms` in `user/check` lists them all), and the API has no
   * "send another code" call. The next SMS simply shows up in `checkStatus`.
   */
  async requestAnotherSms(upstreamId: string): Promise<Result<void>> {
    const id = orderId(upstreamId);
    return id.ok ? ok(undefined) : id;
  }

  async finish(upstreamId: string, options?: CallOptions): Promise<Result<void>> {
    return this.#close(upstreamId, 'finish', 'FINISHED', options);
  }

  async cancel(upstreamId: string, options?: CallOptions): Promise<Result<void>> {
    return this.#close(upstreamId, 'cancel', 'CANCELED', options);
  }

  async getBalance(options?: CallOptions): Promise<Result<Balance>> {
    const answer = await fivesimGet(this.#http, { segments: ['user', 'profile'], auth: true }, options);
    if (!answer.ok) return answer;
    const balance = readBalance(answer.value);
    return balance.ok ? ok({ currency: this.currency, amount: balance.value }) : balance;
  }

  /**
   * The open orders, newest first, from `user/orders`. Orders live 15 minutes and the account's
   * rating caps how many are open at once (at most 96), so the newest 100 hold every open one.
   */
  async listActive(options?: CallOptions): Promise<Result<UpstreamActivation[]>> {
    const answer = await fivesimGet(
      this.#http,
      {
        segments: ['user', 'orders'],
        auth: true,
        query: { category: 'activation', limit: '100', offset: '0', order: 'id', reverse: 'true' },
      },
      options,
    );
    if (!answer.ok) return answer;
    const orders = readActiveOrders(answer.value);
    return orders.ok ? ok(orders.value.active) : orders;
  }

  /**
   * `finish` and `cancel` answer with the order. An order that is already closed comes back as it
   * is, so anything but the status we asked for means someone (5sim's timer, another call) closed
   * it first.
   */
  async #close(upstreamId: string, action: 'finish' | 'cancel', wanted: FivesimStatus, options?: CallOptions): Promise<Result<void>> {
    const id = orderId(upstreamId);
    if (!id.ok) return id;
    const answer = await fivesimGet(this.#http, { segments: ['user', action, id.value], auth: true, orderCall: true }, options);
    if (!answer.ok) return answer;
    const order = readOrder(answer.value, `user/${action}`);
    if (!order.ok) return order;
    const { status } = order.value;
    if (status === wanted) return ok(undefined);
    if (status === 'PENDING' || status === 'RECEIVED')
      return fail('protocol_error', `5sim user/${action}: order ${id.value} is still ${status}`);
    return fail('already_final', `5sim user/${action}: order ${id.value} is already ${status}`);
  }
}

/** 5sim order ids are decimal integers; anything else cannot name an order (and must not reach a URL path). */
function orderId(upstreamId: string): Result<string> {
  const id = upstreamId.trim();
  return /^\d{1,20}$/.test(id) ? ok(id) : fail('not_found', `5sim: ${JSON.stringify(upstreamId)} is not a 5sim order id`);
}

/** 150_000 → "0.15": the exact decimal, without going through floating point. */
export function microsToDecimal(micros: Micros): string {
  if (!Number.isSafeInteger(micros) || micros < 0) throw new Error(`maxCost ${micros} is not a non-negative integer of micro-units`);
  const whole = Math.floor(micros / 1_000_000);
  const fraction = String(micros % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}.${fraction}`;
}
