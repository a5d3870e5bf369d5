import { type Clock, systemClock } from '../../lib/clock.ts';
import {
  type Balance,
  type BuyRequest,
  type CallOptions,
  fail,
  type Offers,
  ok,
  type ProviderFailure,
  type ProviderPort,
  type PurchasedNumber,
  type PushedSms,
  type PushRequest,
  type Result,
  type UpstreamActivation,
  type UpstreamStatus,
} from '../port.ts';
import { smsActivateCountryId } from './countries.ts';
import {
  parseAccessNumber,
  parseActiveActivations,
  parseBalance,
  parseNumberV2,
  parsePrices,
  parseStatusText,
  parseStatusV2,
} from './parse.ts';
import { parseSmsActivatePush } from './push.ts';
import { describeReply, errorCodeOf, failureOf, microsToDecimal, type Reply, readReply } from './replies.ts';
import { handlerEndpoint, type Params, send, type TransportOptions } from './transport.ts';

export interface SmsActivateOptions {
  /** Our name for this upstream (`/webhooks/providers/{name}`). */
  name: string;
  /** `https://api.example` or the full `…/stubs/handler_api.php`. */
  baseUrl: string;
  apiKey: string;
  /** ISO 4217 code of the amounts the server quotes. */
  currency?: string;
  timeoutMs?: number;
  /** POST form bodies keep the key out of URLs and their logs; GET for clones that need it. */
  method?: 'GET' | 'POST';
  /** For `Retry-After` dates. */
  clock?: Clock;
}

type Answer = { ok: true; reply: Reply; status: number } | { ok: false; failure: ProviderFailure };

const SERVICE_CODE = /^[a-z0-9]{2,4}$/;
const UPSTREAM_ID = /^\d{1,24}$/;

/** Which status each setStatus call sets and what a server that did it answers. */
const SET_STATUS = {
  retry: { status: '3', done: 'ACCESS_RETRY_GET' },
  finish: { status: '6', done: 'ACCESS_ACTIVATION' },
  cancel: { status: '8', done: 'ACCESS_CANCEL' },
} as const;

/**
 * The SMS-Activate `handler_api.php` protocol (SMS-Activate, HeroSMS, SMSHub, Grizzly, DaisySMS and
 * other clones). V2 actions are used first and given up for the V1 ones, per instance, the first time
 * a server says it does not know them.
 */
export class SmsActivateProvider implements ProviderPort {
  readonly kind = 'sms-activate' as const;
  readonly name: string;
  readonly #currency: string;
  readonly #apiKey: string;
  readonly #transport: TransportOptions;
  #numberV2 = true;
  #statusV2 = true;

  constructor(options: SmsActivateOptions) {
    if (options.apiKey.trim() === '') throw new TypeError('apiKey is empty');
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new TypeError(`timeoutMs must be a positive integer: ${timeoutMs}`);
    this.name = options.name;
    this.#currency = options.currency ?? 'USD';
    this.#apiKey = options.apiKey;
    this.#transport = {
      endpoint: handlerEndpoint(options.baseUrl),
      apiKey: options.apiKey,
      method: options.method ?? 'POST',
      timeoutMs,
      clock: options.clock ?? systemClock,
    };
  }

  async fetchOffers(options?: CallOptions): Promise<Result<Offers>> {
    const answer = await this.#call({ action: 'getPrices' }, options);
    if (!answer.ok) return { ok: false, failure: answer.failure };
    const prices = parsePrices(answer.reply);
    return prices ? ok({ currency: this.#currency, offers: prices.offers }) : this.#unusable('getPrices', answer);
  }

  async buyNumber(request: BuyRequest, options?: CallOptions): Promise<Result<PurchasedNumber>> {
    if (!SERVICE_CODE.test(request.service)) return fail('bad_service', `not a service code: ${JSON.stringify(request.service)}`);
    const country = smsActivateCountryId(request.country);
    if (country === undefined) return fail('bad_country', `no SMS-Activate id for country ${JSON.stringify(request.country)}`);
    if (request.maxCost !== undefined && (!Number.isSafeInteger(request.maxCost) || request.maxCost < 0))
      throw new TypeError(`maxCost must be a non-negative integer of micro-units: ${request.maxCost}`);
    const params = { service: request.service, country: String(country) };
    const maxPrice = request.maxCost === undefined ? {} : { maxPrice: microsToDecimal(request.maxCost) };

    if (this.#numberV2) {
      const answer = await this.#call({ action: 'getNumberV2', ...params, ...maxPrice }, options, ['BAD_ACTION']);
      if (!answer.ok) return { ok: false, failure: answer.failure };
      if (!isBadAction(answer.reply)) {
        // A clone that answers getNumberV2 the V1 way has still sold us the number: read it, never ask again.
        const bought = parseNumberV2(answer.reply) ?? parseAccessNumber(answer.reply);
        return bought ? ok(bought) : this.#unusable('getNumberV2', answer);
      }
      this.#numberV2 = false;
    }
    const answer = await this.#call({ action: 'getNumber', ...params, ...maxPrice }, options);
    if (!answer.ok) return { ok: false, failure: answer.failure };
    const bought = parseAccessNumber(answer.reply);
    return bought ? ok(bought) : this.#unusable('getNumber', answer);
  }

  async checkStatus(upstreamId: string, options?: CallOptions): Promise<Result<UpstreamStatus>> {
    if (!UPSTREAM_ID.test(upstreamId)) return fail('not_found', 'not an SMS-Activate activation id');
    if (this.#statusV2) {
      const answer = await this.#call({ action: 'getStatusV2', id: upstreamId }, options, ['BAD_ACTION']);
      if (!answer.ok) return { ok: false, failure: answer.failure };
      if (!isBadAction(answer.reply)) {
        const status = parseStatusV2(answer.reply) ?? parseStatusText(answer.reply);
        return status ? ok(status) : this.#unusable('getStatusV2', answer);
      }
      this.#statusV2 = false;
    }
    const answer = await this.#call({ action: 'getStatus', id: upstreamId }, options);
    if (!answer.ok) return { ok: false, failure: answer.failure };
    const status = parseStatusText(answer.reply);
    return status ? ok(status) : this.#unusable('getStatus', answer);
  }

  requestAnotherSms(upstreamId: string, options?: CallOptions): Promise<Result<void>> {
    return this.#setStatus(upstreamId, 'retry', options);
  }

  finish(upstreamId: string, options?: CallOptions): Promise<Result<void>> {
    return this.#setStatus(upstreamId, 'finish', options);
  }

  cancel(upstreamId: string, options?: CallOptions): Promise<Result<void>> {
    return this.#setStatus(upstreamId, 'cancel', options);
  }

  async getBalance(options?: CallOptions): Promise<Result<Balance>> {
    const answer = await this.#call({ action: 'getBalance' }, options);
    if (!answer.ok) return { ok: false, failure: answer.failure };
    const amount = parseBalance(answer.reply);
    return amount === undefined ? this.#unusable('getBalance', answer) : ok({ currency: this.#currency, amount });
  }

  /** getActiveActivations: what the provider still counts as open on our account. */
  async listActive(options?: CallOptions): Promise<Result<UpstreamActivation[]>> {
    const answer = await this.#call({ action: 'getActiveActivations' }, options, ['NO_ACTIVATIONS']);
    if (!answer.ok) return { ok: false, failure: answer.failure };
    const list = parseActiveActivations(answer.reply);
    return list ? ok(list) : this.#unusable('getActiveActivations', answer);
  }

  parsePush(request: PushRequest): Result<PushedSms[]> {
    return parseSmsActivatePush(request);
  }

  async #setStatus(upstreamId: string, what: keyof typeof SET_STATUS, options?: CallOptions): Promise<Result<void>> {
    if (!UPSTREAM_ID.test(upstreamId)) return fail('not_found', 'not an SMS-Activate activation id');
    const { status, done } = SET_STATUS[what];
    const answer = await this.#call({ action: 'setStatus', id: upstreamId, status }, options, ['BAD_STATUS']);
    if (!answer.ok) return { ok: false, failure: answer.failure };
    const { reply } = answer;
    if (reply.type === 'text' && reply.text === done) return ok(undefined);
    // The activation is past the point where this status applies: cancelled, finished, or (8) a code came.
    if (reply.type === 'text' && reply.text === 'STATUS_CANCEL') return fail('already_final', 'upstream says the activation is cancelled');
    if (errorCodeOf(reply)?.code === 'BAD_STATUS')
      return fail('already_final', `upstream refused status ${status} in the activation's current state (BAD_STATUS)`);
    return this.#unusable(`setStatus ${status}`, answer);
  }

  /**
   * One request: a transport failure, a known error, or the reply. Codes in `passThrough` come back as
   * replies because the caller decides what they mean (BAD_ACTION to a V2 action, BAD_STATUS to setStatus).
   */
  async #call(params: Params, options?: CallOptions, passThrough: readonly string[] = []): Promise<Answer> {
    const sent = await send(this.#transport, params, options);
    if (!sent.ok) return { ok: false, failure: this.#redacted(sent.failure) };
    const reply = readReply(sent.value.body);
    const failure = failureOf(reply);
    const code = errorCodeOf(reply)?.code;
    if (failure && !(code !== undefined && passThrough.includes(code))) return { ok: false, failure: this.#redacted(failure) };
    return { ok: true, reply, status: sent.value.status };
  }

  #unusable<T>(action: string, answer: { reply: Reply; status: number }): Result<T> {
    const known = failureOf(answer.reply);
    if (known) return { ok: false, failure: this.#redacted(known) };
    return {
      ok: false,
      failure: this.#redacted({ kind: 'protocol_error', message: `${action}: ${describeReply(answer.reply, answer.status)}` }),
    };
  }

  /** Belt and braces: no failure message may contain the key, whatever a server echoed. */
  #redacted(failure: ProviderFailure): ProviderFailure {
    return failure.message.includes(this.#apiKey)
      ? { ...failure, message: failure.message.replaceAll(this.#apiKey, '[redacted]') }
      : failure;
  }
}

function isBadAction(reply: Reply): boolean {
  return errorCodeOf(reply)?.code === 'BAD_ACTION';
}
