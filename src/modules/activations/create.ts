import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { PricedOffer } from '../catalog/index.ts';
import { type CountryInfo, countryByCode, type ServiceInfo, serviceByCode } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import {
  accountRestricted,
  announceBalanceChange,
  insufficientCredits,
  refusal,
  systemAccountFor,
  walletOf,
  walletRef,
} from '../ledger/index.ts';
import { buyFromCandidates, failUnsoldOrder, onlyNoStock } from './buy-number.ts';
import type { ActivationDeps } from './deps.ts';
import { creationError, idempotencyKeyClaimed, noNumbers } from './idempotency.ts';
import { boughtOrder, type OpenedOrder } from './opened-order.ts';
import { CREATED_EVENT, INITIAL_STATUS } from './states.ts';
import {
  type LimitCounts,
  type LimitRefusal,
  type Placement,
  type PlacementClaim,
  type PlacementHold,
  type PlacementLimits,
  placeActivationRow,
  type TransitionEvent,
} from './store.ts';
import type { ActivationRow } from './view.ts';

export { BUY_BUDGET_MS } from './buy-number.ts';

/** A hold outlives its order by this much: the expiry sweep releases it first; `ledger verify` flags it after. */
export const HOLD_GRACE_MS = 10 * 60_000;

export interface CreateInput {
  accountId: string;
  service: string;
  country: string;
  maxPrice?: number;
  /** The request's `Idempotency-Key`: claimed by the statement that places the order, never before. */
  idempotency?: PlacementClaim;
}

/** The order's idempotency key was claimed before: nothing was done; the caller answers from the key. */
export class IdempotencyKeyTaken extends Error {
  override name = 'IdempotencyKeyTaken';
}

/**
 * Order a number. Three steps, so no database transaction waits on a provider:
 *
 * 1. One statement, under the customer's wallet lock: the limits, the hold of its price, the order row
 *    (`requesting`) — or nothing, and why (store.ts, PLACE).
 * 2. Ask the providers for a number, cheapest in stock first, failing over within the held amount.
 * 3. One transaction: the number and `waiting`, or `failed` with the hold released — a failed order
 *    costs nothing and says why (buy-number.ts).
 *
 * Answers the order opened: the number still in hand, as the provider sold it (nothing is opened).
 *
 * A crash between 1 and 3 leaves a `requesting` order that the expiry sweep fails and refunds; a
 * number bought in between is found and cancelled upstream by reconciliation (reconcile-upstream.ts).
 */
export async function createActivation(ctx: Ctx, deps: ActivationDeps, input: CreateInput): Promise<OpenedOrder> {
  const { service, country } = serviceAndCountry(input);
  const offers = offersFor(deps, service, country, input.maxPrice);
  const order = newOrder(ctx, input.accountId, service, country, offers);
  const placement = await placeOrder(ctx, order, input);
  const { requested, candidates } = paidFor(order.row, offers, placement);
  const bought = await buyFromCandidates(ctx, requested, candidates);
  if ('assigned' in bought) return boughtOrder(bought.assigned);
  await failUnsoldOrder(ctx, requested, service, country, bought.refusals);
  throw creationError(onlyNoStock(bought.refusals), service.name, country.name);
}

/** The service and country asked for, or the refusal naming the one we do not know. */
function serviceAndCountry(input: CreateInput): { service: ServiceInfo; country: CountryInfo } {
  const service = serviceByCode(input.service);
  if (!service) throw new DomainError('UNKNOWN_SERVICE', `There is no service with the code "${input.service}". See GET /api/v1/services.`);
  const country = countryByCode(input.country);
  if (!country)
    throw new DomainError('UNKNOWN_COUNTRY', `"${input.country}" is not a country we know (ISO 3166 alpha-2). See GET /api/v1/countries.`);
  return { service, country };
}

/** What the order may be filled from, and at what price. */
interface OrderOffers {
  /** The cheapest offer in stock from a provider that answers: its price is the order's. */
  best: PricedOffer;
  /** The offers failover may go to, best first: within the customer's maximum (or the best price). */
  candidates: PricedOffer[];
  /** The dearest candidate's price: held when the customer can afford it. */
  dearest: number;
  /** The sandbox's offers among the candidates: demo credits pay for these only. */
  sandboxOffers: PricedOffer[];
}

/** The offers a new order may be filled from, or why there are none (nothing is written either way). */
function offersFor(deps: ActivationDeps, service: ServiceInfo, country: CountryInfo, maxPrice: number | undefined): OrderOffers {
  if (deps.catalog.rules.disabled(service.code, country.code))
    throw new DomainError('NO_NUMBERS', `${service.name} numbers in ${country.name} are not sold here. Nothing was charged.`, {
      notSold: true,
    });
  const inStock = deps.catalog.offers(service.code, country.code).filter((offer) => offer.count > 0);
  if (inStock.length === 0) throw noNumbers(service.name, country.name);
  // Providers whose circuit is open are not asked: they would refuse at once anyway.
  const offers = inStock.filter((offer) => offer.provider.isAvailable?.() ?? true);
  const best = offers[0];
  if (!best) {
    throw new DomainError(
      'PROVIDER_UNAVAILABLE',
      `The providers of ${service.name} numbers in ${country.name} are not answering right now. Nothing was charged; try again in a minute.`,
      { retryAfterSeconds: 30 },
    );
  }
  if (maxPrice !== undefined && best.price > maxPrice) {
    throw new DomainError(
      'PRICE_ABOVE_MAX',
      `A ${service.name} number in ${country.name} costs ${best.price} credits, above your maximum of ${maxPrice}.`,
      { price: best.price, maxPrice },
    );
  }
  // Without a maximum the customer agreed to the price shown; with one, to anything up to it: failover
  // may then go to a dearer provider, and the hold covers the dearest one that could sell.
  const ceiling = maxPrice ?? best.price;
  const candidates = offers.filter((offer) => offer.price <= ceiling);
  return {
    best,
    candidates,
    dearest: Math.max(...candidates.map((offer) => offer.price)),
    sandboxOffers: candidates.filter((offer) => offer.provider.kind === 'sandbox'),
  };
}

/** A new order, not yet written: its row (`requesting`, at the best price) and the hold that pays for it. */
interface NewOrder {
  row: ActivationRow;
  hold: PlacementHold;
}

function newOrder(ctx: Ctx, accountId: string, service: ServiceInfo, country: CountryInfo, offers: OrderOffers): NewOrder {
  const { best, dearest } = offers;
  const sandboxOffer = offers.sandboxOffers[0];
  const now = ctx.clock.now();
  const id = newId('act', now.getTime());
  const expiresAt = new Date(now.getTime() + ctx.config.activationTtlS * 1000);
  const hold: PlacementHold = {
    systemAccountId: systemAccountFor('order_revenue', accountId),
    transferId: newId('txn', now.getTime()),
    idempotencyKey: `${id}:hold`,
    price: best.price,
    dearest,
    reason: `${service.name} number in ${country.name} reserved`,
    metadata: { activationId: id, service: service.code, country: country.code },
    actor: ctx.actor ?? null,
    holdExpiresAt: new Date(expiresAt.getTime() + HOLD_GRACE_MS),
    demo: sandboxOffer
      ? {
          systemAccountId: systemAccountFor('demo_revenue', accountId),
          price: sandboxOffer.price,
          provider: sandboxOffer.provider.name,
        }
      : undefined,
  };
  const row: ActivationRow = {
    id,
    accountId,
    service: service.code,
    country: country.code,
    provider: best.provider.name,
    upstreamId: null,
    phone: null,
    phoneHash: null,
    price: best.price,
    providerCost: null,
    providerCurrency: null,
    status: INITIAL_STATUS,
    holdId: hold.transferId,
    failureReason: null,
    sandbox: best.provider.kind === 'sandbox',
    nextPollAt: null,
    pollAttempts: 0,
    createdAt: now,
    updatedAt: now,
    expiresAt,
    cancellableAt: new Date(now.getTime() + ctx.config.cancelMinS * 1000),
    receivedAt: null,
    retryRequestedAt: null,
    endedAt: null,
  };
  return { row, hold };
}

/**
 * Step 1, one statement: the wallet locked, the limits, the hold and the order (a customer without a
 * wallet gets one, and the order is placed again) — or nothing, and the refusal that says why.
 */
async function placeOrder(ctx: Ctx, { row, hold }: NewOrder, input: CreateInput): Promise<Extract<Placement, { outcome: 'placed' }>> {
  const now = row.createdAt;
  const limits: PlacementLimits = {
    maxOpen: ctx.config.maxActiveActivations,
    maxPerMinute: ctx.config.orderRateLimit,
    cancelWindow: cancelWindowOrders(ctx.config.cancelThrottleMinOrders),
    cancelMinOrders: ctx.config.cancelThrottleMinOrders,
    cancelPercent: ctx.config.cancelThrottlePercent,
  };
  const created: TransitionEvent = {
    type: CREATED_EVENT,
    fromStatus: INITIAL_STATUS,
    toStatus: INITIAL_STATUS,
    actor: 'customer',
    details: { price: row.price },
  };
  let placement = await placeActivationRow(ctx.db, row, created, hold, limits, now, input.idempotency);
  if (placement.outcome === 'no_wallet') {
    await walletOf(ctx.db, input.accountId, now);
    placement = await placeActivationRow(ctx.db, row, created, hold, limits, now, input.idempotency);
  }
  if (placement.outcome === 'placed') {
    // The statement held the price (ledger/balance-changes.ts).
    announceBalanceChange(ctx.db, input.accountId);
    return placement;
  }
  if (placement.outcome === 'key_taken') throw new IdempotencyKeyTaken();
  // A key claimed before wins over a refusal (a retry of an order that spent the credits it needed).
  if (input.idempotency && (await idempotencyKeyClaimed(ctx.db, input.accountId, input.idempotency.key))) throw new IdempotencyKeyTaken();
  throw await refusalOf(ctx, placement, input.accountId, row.price, now);
}

/** The order as the wallet that paid for it allows, and the offers failover may go to. */
function paidFor(
  row: ActivationRow,
  offers: OrderOffers,
  placement: Extract<Placement, { outcome: 'placed' }>,
): { requested: ActivationRow; candidates: PricedOffer[] } {
  const sandboxOffer = offers.sandboxOffers[0];
  if (placement.purse === 'demo' && sandboxOffer) {
    // Paid with demo credits: a sandbox order, which only the sandbox may fill.
    return {
      requested: { ...row, price: sandboxOffer.price, provider: sandboxOffer.provider.name, sandbox: true },
      candidates: offers.sandboxOffers,
    };
  }
  // Not enough credits for the dearest fallback: the best price was held, and failover stops at it.
  const candidates = placement.held < offers.dearest ? offers.candidates.filter((offer) => offer.price <= row.price) : offers.candidates;
  return { requested: row, candidates };
}

/** The cancel-ratio throttle looks at an account's most recent orders of the last hour, this many at most. */
export const cancelWindowOrders = (minOrders: number) => Math.max(100, 5 * minOrders);

/** Why an order was not placed, as the customer is told. Nothing was written. */
async function refusalOf(
  ctx: Ctx,
  placement: Exclude<Placement, { outcome: 'placed' | 'key_taken' }>,
  accountId: string,
  price: number,
  now: Date,
): Promise<DomainError> {
  switch (placement.outcome) {
    case 'restricted':
      return accountRestricted();
    case 'insufficient':
      return insufficientCredits(price, placement.available);
    case 'limit':
      return limitRefusal(ctx, placement.refusal, placement.counts, now);
    case 'refused':
    case 'no_wallet':
      // A concurrent change came between the lock and the write (or the wallet vanished): say what is left.
      return refusal(ctx.db, walletRef(accountId), price, true);
  }
}

function limitRefusal(ctx: Ctx, refusal: LimitRefusal, recent: LimitCounts, now: Date): DomainError {
  const { open, lastMinute, cancelled, ended } = recent;
  switch (refusal) {
    case 'too_many_active':
      return new DomainError(
        'TOO_MANY_ACTIVE',
        `You already have ${open} open orders (the limit is ${ctx.config.maxActiveActivations}). Finish or cancel one first.`,
        { retryAfterSeconds: 30 },
      );
    case 'order_rate': {
      const oldest = recent.oldest?.getTime() ?? now.getTime();
      return new DomainError(
        'ORDER_RATE_LIMITED',
        `You ordered ${lastMinute} numbers in the last minute (the limit is ${ctx.config.orderRateLimit}). Wait a moment.`,
        { retryAfterSeconds: Math.max(1, Math.ceil((oldest + 60_000 - now.getTime()) / 1000)) },
      );
    }
    case 'cancel_ratio':
      return new DomainError(
        'ORDER_RATE_LIMITED',
        `You cancelled ${cancelled} of your last ${ended} orders within an hour. New orders are paused for a while to protect your balance from a runaway script.`,
        { retryAfterSeconds: 600 },
      );
  }
}
