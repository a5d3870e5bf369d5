import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../../lib/errors.ts';
import { type Principal, processingRestricted } from '../../../modules/accounts/index.ts';
import {
  cancelActivation,
  createActivation,
  createWithIdempotencyKey,
  finishActivation,
  listActivations,
  type OpenedOrder,
  openOrders,
  retryActivation,
  type SmsRow,
  smsOf,
  toView,
} from '../../../modules/activations/index.ts';
import { balanceOf } from '../../../modules/ledger/index.ts';
import { isoFromSmsActivateId, smsActivateCountry, smsActivateCountryId } from '../../../provider-clients/sms-activate/index.ts';
import type { AppDeps } from '../../app.ts';
import { type NumberedOrders, orderNumberOf } from '../numbered-orders.ts';
import { ceilingCredits } from '../price-ceiling.ts';
import { unitsNumber, unitsOf } from './money.ts';
import type { Params } from './params.ts';
import { type Answer, json, refusal, text } from './replies.ts';

/** One protocol request, once its key checked out. */
export interface Call {
  request: FastifyRequest;
  params: Params;
  principal: Principal;
}

/** `2022-06-01 17:30:57`: the protocol's times (UTC here; SMS-Activate's were Moscow time and unmarked). */
export const protocolTime = (date: Date) => date.toISOString().slice(0, 19).replace('T', ' ');

/** The phone number as the protocol writes it: digits only, no `+`. */
const digitsOf = (phone: string | null) => (phone ?? '').replace(/\D/g, '');

/** The SMS an order counts (late ones, after its end, are shown in our API but are no code here). */
const counted = (sms: readonly SmsRow[]) => sms.filter((m) => !m.late);
const lastCode = (sms: readonly SmsRow[]) => {
  const messages = counted(sms);
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as SmsRow;
    if (message.code) return message.code;
  }
  return '';
};

/** getStatus's answer for an order as it stands. */
export function statusText({ row, sms }: OpenedOrder): string {
  switch (row.status) {
    case 'requesting':
    case 'waiting':
      return 'STATUS_WAIT_CODE';
    case 'received':
      // Another SMS was asked for (setStatus 3) and has not come yet.
      return row.retryRequestedAt ? `STATUS_WAIT_RETRY:${lastCode(sms)}` : `STATUS_OK:${lastCode(sms)}`;
    case 'completed':
      return `STATUS_OK:${lastCode(sms)}`;
    default:
      return 'STATUS_CANCEL';
  }
}

/**
 * The order actions of `handler_api.php` over the ordinary order verbs: getNumber(V2), getStatus(V2),
 * setStatus, getActiveActivations, getBalance. An order placed here is an ordinary order (the web app,
 * the events, the webhooks and the REST API see it), known to the protocol by its number (ADR 29).
 */
export class ProtocolOrders {
  /** Orders by number, from memory while they have not changed (numbered-orders.ts). */
  readonly #numbered: NumberedOrders;

  constructor(
    private readonly deps: AppDeps,
    numbered: NumberedOrders,
  ) {
    this.#numbered = numbered;
  }

  get #rate() {
    return this.deps.config.creditsPerUsd;
  }

  async getBalance({ request, principal }: Call): Promise<Answer> {
    const { available } = await balanceOf(request.ctx.db, principal.accountId);
    return text(`ACCESS_BALANCE:${unitsOf(available, this.#rate, 'down')}`);
  }

  /**
   * getNumber / getNumberV2. `country` defaults to 0, as in the protocol; `maxPrice` is in units (a value
   * that is not a number, or below one credit, asks for nothing: the answer names the lowest price);
   * `operator`, `forward`, `ref`, `phoneException` and the rest are accepted and ignored. An
   * `Idempotency-Key` header makes a retry return the first answer instead of a second order.
   */
  async getNumber({ request, params, principal }: Call, v2: boolean): Promise<Answer> {
    const service = params.service?.trim().toLowerCase();
    if (!service) return text('BAD_SERVICE');
    const countryId = (params.country ?? '').trim() === '' ? '0' : (params.country as string);
    const country = isoFromSmsActivateId(countryId);
    if (!country) return text('BAD_COUNTRY');
    if (principal.processingRestricted) throw processingRestricted();
    // Not a number: answered as a ceiling no number meets (WRONG_MAX_PRICE with the cheapest price).
    const maxPrice =
      params.maxPrice === undefined || params.maxPrice === '' ? undefined : (ceilingCredits(params.maxPrice, this.#rate) ?? 0);
    const input = { accountId: principal.accountId, service, country, maxPrice };
    const reply = async ({ row }: OpenedOrder): Promise<Answer> => {
      const number = await this.#numbered.numberOf(request.ctx, row.id);
      if (!v2) return text(`ACCESS_NUMBER:${number}:${digitsOf(row.phone)}`);
      return json({
        activationId: number,
        phoneNumber: digitsOf(row.phone),
        activationCost: unitsOf(row.price, this.#rate, 'up'),
        countryCode: String(smsActivateCountry(countryId)?.id ?? countryId),
        canGetAnotherSms: '1',
        activationTime: protocolTime(row.createdAt),
        activationOperator: 'any',
      });
    };
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '') return reply(await createActivation(request.ctx, this.deps.activations, input));
    if (key.length > 255 || !/^[\x21-\x7e]+$/.test(key))
      throw new DomainError('VALIDATION_FAILED', 'Idempotency-Key: 1 to 255 printable ASCII characters, without spaces.');
    const answer = await createWithIdempotencyKey(request.ctx, this.deps.activations, input, key, {
      protocol: v2 ? 'sms-activate-v2' : 'sms-activate',
      order: async (order) => ({ status: 200, body: await reply(order) }),
      refusal: (error) => ({ status: 200, body: refusal(error, request.log, this.#rate) }),
    });
    return answer.body as Answer;
  }

  /** getStatus / getStatusV2: answered from memory while the order has not changed. */
  getStatus(call: Call, v2: boolean): Answer | Promise<Answer> {
    const number = orderNumberOf(call.params.id);
    if (number === undefined) return text('NO_ACTIVATION');
    const found = this.#order(call, number);
    return found instanceof Promise ? found.then((order) => this.#status(order, v2)) : this.#status(found, v2);
  }

  #status(order: OpenedOrder, v2: boolean): Answer {
    const { row } = order;
    if (!v2) return text(statusText(order));
    // V2: the same states as JSON; an order that ended without a code is still the plain STATUS_CANCEL.
    if (row.status === 'cancelled' || row.status === 'expired' || row.status === 'failed') return text('STATUS_CANCEL');
    const view = toView(order, this.deps.activations.ephemeral, this.deps.clock.now().getTime());
    const last = view.sms.filter((m) => !m.late).at(-1);
    return json({
      verificationType: 0,
      sms: last ? { dateTime: protocolTime(new Date(last.receivedAt)), code: last.code ?? '', text: last.text ?? '' } : null,
      call: null,
    });
  }

  /** The caller's order of this number, from memory or the database; NO_ACTIVATION for any other. */
  #order(call: Call, number: number): OpenedOrder | Promise<OpenedOrder> {
    return this.#numbered.order(call.request.ctx, call.principal.accountId, number);
  }

  /**
   * setStatus: 1 number ready (an acknowledgement: nothing changes), 3 another SMS, 6 finish, 8 (and
   * the legacy -1) cancel — refused with EARLY_CANCEL_DENIED in the first CANCEL_MIN_S seconds.
   */
  async setStatus(call: Call): Promise<Answer> {
    const number = orderNumberOf(call.params.id);
    if (number === undefined) return text('WRONG_ACTIVATION_ID');
    const status = call.params.status?.trim();
    if (!['1', '3', '6', '8', '-1'].includes(status ?? '')) {
      // The order is checked first: a bad status on someone else's order says nothing of that order.
      await this.#order(call, number);
      return text('BAD_STATUS');
    }
    const { row } = await this.#order(call, number);
    const { ctx } = call.request;
    const accountId = call.principal.accountId;
    switch (status) {
      case '1':
        return text(row.status === 'waiting' ? 'ACCESS_READY' : 'BAD_STATUS');
      case '3':
        await retryActivation(ctx, accountId, row.id);
        return text('ACCESS_RETRY_GET');
      case '6':
        await finishActivation(ctx, this.deps.activations, accountId, row.id);
        return text('ACCESS_ACTIVATION');
      default:
        await cancelActivation(ctx, this.deps.activations, accountId, row.id);
        return text('ACCESS_CANCEL');
    }
  }

  /** The open orders (waiting for a code, or with one and not finished), newest first. */
  async getActiveActivations({ request, principal }: Call): Promise<Answer> {
    const db = request.ctx.db;
    const limit = Math.max(100, this.deps.config.maxActiveActivations);
    const rows = (await listActivations(db, { accountId: principal.accountId, status: ['waiting', 'received'], limit })).slice(0, limit);
    if (rows.length === 0) return text('NO_ACTIVATIONS');
    const ids = rows.map((row) => row.id);
    const [numbers, sms] = [await this.#numbered.numbersOf(request.ctx, ids), await smsOf(db, ids)];
    const opened = await openOrders(request.ctx, principal.accountId, rows, sms);
    const now = this.deps.clock.now().getTime();
    return json({
      status: 'success',
      activeActivations: opened.map((order) => {
        const { row } = order;
        const view = toView(order, this.deps.activations.ephemeral, now);
        const messages = view.sms.filter((m) => !m.late);
        const codes = messages.flatMap((m) => (m.code ? [m.code] : []));
        const countryId = smsActivateCountryId(row.country);
        return {
          activationId: String(numbers.get(row.id)),
          serviceCode: row.service,
          phoneNumber: digitsOf(row.phone),
          activationCost: unitsNumber(row.price, this.#rate, 'up'),
          activationStatus: row.status === 'waiting' ? '4' : row.retryRequestedAt ? '3' : '2',
          smsCode: codes.length > 0 ? codes : null,
          smsText: messages.at(-1)?.text ?? null,
          activationTime: protocolTime(row.createdAt),
          discount: '0.00',
          repeated: '0',
          countryCode: countryId === undefined ? '' : String(countryId),
          countryName: countryId === undefined ? row.country : (smsActivateCountry(countryId)?.name ?? row.country),
          canGetAnotherSms: '1',
        };
      }),
    });
  }
}
