import type { Executor } from '../../db/client.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { ProviderFailure } from '../../provider-clients/port.ts';
import type { PricedOffer } from '../catalog/index.ts';
import { countryByCode, serviceByCode } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import { accountRestricted, insufficientCredits, refusal, releaseHold, systemAccountFor, walletOf, walletRef } from '../ledger/index.ts';
import { queueProviderTask } from './actions.ts';
import type { ActivationDeps } from './deps.ts';
import { creationError, idempotencyKeyClaimed, noNumbers } from './idempotency.ts';
import { FIRST_POLL_MS } from './poll-upstream.ts';
import {
  type LimitCounts,
  type LimitRefusal,
  lockActivationRow,
  type Placement,
  type PlacementClaim,
  type PlacementHold,
  placeActivationRow,
  type TransitionEvent,
} from './store.ts';
import { recordTransition, recordTransitionIfUnchanged } from './transition.ts';
import type { ActivationRow } from './view.ts';

/** Stop trying further providers after this long (a `requesting` order is declared interrupted at 2 minutes). */
export const BUY_BUDGET_MS = 45_000;

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
 *    (`requesting`) — or nothing, and why (store.ts, PLACE_SQL).
 * 2. Ask the providers for a number, cheapest in stock first, failing over within the held amount.
 * 3. One transaction: the number and `waiting`, or `failed` with the hold released — a failed order
 *    costs nothing and says why.
 *
 * A crash between 1 and 3 leaves a `requesting` order that the expiry sweep fails and refunds; a
 * number bought in between is found and cancelled upstream by reconciliation (reconcile-upstream.ts).
 */
export async function createActivation(ctx: Ctx, deps: ActivationDeps, input: CreateInput): Promise<ActivationRow> {
  const service = serviceByCode(input.service);
  if (!service) throw new DomainError('UNKNOWN_SERVICE', `There is no service with the code "${input.service}". See GET /api/v1/services.`);
  const country = countryByCode(input.country);
  if (!country)
    throw new DomainError('UNKNOWN_COUNTRY', `"${input.country}" is not a country we know (ISO 3166 alpha-2). See GET /api/v1/countries.`);

  if (deps.catalog.rules.disabled(service.code, country.code))
    throw new DomainError('NO_NUMBERS', `${service.name} numbers in ${country.name} are not sold here. Nothing was charged.`, {
      notSold: true,
    });
  const inStock = deps.catalog.offers(service.code, country.code).filter((offer) => offer.count > 0);
  if (inStock.length === 0) throw noNumbers(service.name, country.name);
  // Providers whose circuit is open are not asked: they would refuse at once anyway.
  const offers = inStock.filter(isAvailable);
  const best = offers[0];
  if (!best) {
    throw new DomainError(
      'PROVIDER_UNAVAILABLE',
      `The providers of ${service.name} numbers in ${country.name} are not answering right now. Nothing was charged; try again in a minute.`,
      { retryAfterSeconds: 30 },
    );
  }
  if (input.maxPrice !== undefined && best.price > input.maxPrice) {
    throw new DomainError(
      'PRICE_ABOVE_MAX',
      `A ${service.name} number in ${country.name} costs ${best.price} credits, above your maximum of ${input.maxPrice}.`,
      {
        price: best.price,
        maxPrice: input.maxPrice,
      },
    );
  }
  // Without a maximum the customer agreed to the price shown; with one, to anything up to it: failover
  // may then go to a dearer provider, and the hold covers the dearest one that could sell.
  const ceiling = input.maxPrice ?? best.price;
  let candidates = offers.filter((offer) => offer.price <= ceiling);
  const price = best.price;
  const dearest = Math.max(...candidates.map((offer) => offer.price));
  // Demo credits pay for sandbox numbers only: a sandbox offer among the candidates lets them pay.
  const sandboxOffers = candidates.filter((offer) => offer.provider.kind === 'sandbox');
  const sandboxOffer = sandboxOffers[0];

  const now = ctx.clock.now();
  const id = newId('act', now.getTime());
  const expiresAt = new Date(now.getTime() + ctx.config.activationTtlS * 1000);
  const hold: PlacementHold = {
    systemAccountId: systemAccountFor('order_revenue', input.accountId),
    transferId: newId('txn', now.getTime()),
    idempotencyKey: `${id}:hold`,
    price,
    dearest,
    reason: `${service.name} number in ${country.name} reserved`,
    metadata: { activationId: id, service: service.code, country: country.code },
    actor: ctx.actor ?? null,
    holdExpiresAt: new Date(expiresAt.getTime() + HOLD_GRACE_MS),
    demo: sandboxOffer
      ? {
          systemAccountId: systemAccountFor('demo_revenue', input.accountId),
          price: sandboxOffer.price,
          provider: sandboxOffer.provider.name,
        }
      : undefined,
  };
  let requested: ActivationRow = {
    id,
    accountId: input.accountId,
    service: service.code,
    country: country.code,
    provider: best.provider.name,
    upstreamId: null,
    phone: null,
    price,
    providerCost: null,
    providerCurrency: null,
    status: 'requesting',
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
  // Step 1, one statement: the wallet locked, the limits, the hold and the order — or nothing and why.
  const limits = {
    maxOpen: ctx.config.maxActiveActivations,
    maxPerMinute: ctx.config.orderRateLimit,
    cancelWindow: cancelWindowOrders(ctx.config.cancelThrottleMinOrders),
    cancelMinOrders: ctx.config.cancelThrottleMinOrders,
    cancelPercent: ctx.config.cancelThrottlePercent,
  };
  const created: TransitionEvent = {
    type: 'created',
    fromStatus: 'requesting',
    toStatus: 'requesting',
    actor: 'customer',
    details: { price },
  };
  let placement = await placeActivationRow(ctx.db, requested, created, hold, limits, now, input.idempotency);
  if (placement.outcome === 'no_wallet') {
    await walletOf(ctx.db, input.accountId, now);
    placement = await placeActivationRow(ctx.db, requested, created, hold, limits, now, input.idempotency);
  }
  if (placement.outcome === 'key_taken') throw new IdempotencyKeyTaken();
  if (placement.outcome !== 'placed') {
    // A key claimed before wins over a refusal (a retry of an order that spent the credits it needed).
    if (input.idempotency && (await idempotencyKeyClaimed(ctx.db, input.accountId, input.idempotency.key))) throw new IdempotencyKeyTaken();
    throw await refusalOf(ctx, placement, input.accountId, price, now);
  }
  if (placement.purse === 'demo' && sandboxOffer) {
    // Paid with demo credits: a sandbox order, which only the sandbox may fill.
    candidates = sandboxOffers;
    requested = { ...requested, price: sandboxOffer.price, provider: sandboxOffer.provider.name, sandbox: true };
  } else if (placement.held < dearest) {
    // Not enough credits for the dearest fallback: the best price was held, and failover stops at it.
    candidates = candidates.filter((offer) => offer.price <= price);
  }

  // Step 2: the providers, outside any transaction, cheapest first, until one sells or time runs out.
  const failures: { provider: string; failure: ProviderFailure }[] = [];
  const deadline = ctx.clock.now().getTime() + BUY_BUDGET_MS;
  for (const offer of candidates) {
    if (failures.length > 0 && ctx.clock.now().getTime() >= deadline) {
      failures.push({ provider: offer.provider.name, failure: { kind: 'timeout', message: 'not asked: the order ran out of time' } });
      break;
    }
    const bought = await offer.provider.buyNumber({ service: service.code, country: country.code, maxCost: maxCostFor(offer) });
    if (bought.ok) {
      const now = ctx.clock.now();
      // Only a `requesting` order takes its number: one conditional statement decides and records it.
      const assigned = await recordTransitionIfUnchanged(ctx.db, now, requested, {
        type: 'number_assigned',
        to: 'waiting',
        set: {
          provider: offer.provider.name,
          upstreamId: bought.value.upstreamId,
          phone: bought.value.phone,
          // What this provider's number sells for (the hold may be larger: the rest comes back).
          price: offer.price,
          providerCost: bought.value.cost ?? offer.cost,
          providerCurrency: offer.currency,
          sandbox: offer.provider.kind === 'sandbox',
          // The sandbox pushes its SMS; upstream providers are polled (and may push too).
          ...(offer.provider.kind === 'sandbox' ? {} : { nextPollAt: new Date(now.getTime() + FIRST_POLL_MS), pollAttempts: 0 }),
          // The rental starts now: the customer gets the full lifetime and the documented cancel window.
          expiresAt: new Date(now.getTime() + ctx.config.activationTtlS * 1000),
          cancellableAt: new Date(now.getTime() + ctx.config.cancelMinS * 1000),
        },
        actor: 'provider',
        details: { provider: offer.provider.name, failedOver: failures.map((f) => f.provider) },
        balanceChanged: true,
      });
      if (assigned) return assigned;
      // The sweep failed this order while we were buying: give the number back, never leak it (the
      // task is committed before the refusal is thrown).
      await queueProviderTask(ctx.db, { ...requested, provider: offer.provider.name, upstreamId: bought.value.upstreamId }, 'cancel', now);
      throw new DomainError(
        'PROVIDER_UNAVAILABLE',
        'The provider took too long to answer; the order was cancelled and nothing was charged.',
      );
    }
    failures.push({ provider: offer.provider.name, failure: bought.failure });
    ctx.log.warn(
      { activationId: requested.id, provider: offer.provider.name, failure: bought.failure.kind },
      'provider could not sell a number',
    );
  }

  // Step 3b: nobody sold a number. The order fails and costs nothing.
  const onlyNoStock = failures.length > 0 && failures.every((f) => f.failure.kind === 'no_numbers' || f.failure.kind === 'price_above_max');
  await transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const current = await lockRequesting(tx, requested.id);
    if (!current) return; // already failed and refunded by the sweep
    await releaseHold(
      { ...ctx, db: tx },
      {
        holdId: requested.holdId as string,
        idempotencyKey: `${requested.id}:release`,
        reason: `${service.name} number in ${country.name}: none available, credits returned`,
      },
    );
    await recordTransition(tx, now, current, {
      type: 'failed',
      to: 'failed',
      set: { failureReason: onlyNoStock ? 'no_numbers' : 'provider_unavailable', endedAt: now },
      actor: 'provider',
      details: { failures: failures.map((f) => ({ provider: f.provider, kind: f.failure.kind })) },
    });
  });
  throw creationError(onlyNoStock, service.name, country.name);
}

/** The order, locked, if it is still waiting for its number. */
async function lockRequesting(tx: Executor, id: string): Promise<ActivationRow | undefined> {
  const row = await lockActivationRow(tx, id);
  return row?.status === 'requesting' ? row : undefined;
}

/** A provider behind an open circuit is skipped; one without a breaker (the sandbox, tests) always answers. */
function isAvailable(offer: PricedOffer): boolean {
  const breaker = (offer.provider as { breaker?: { available: boolean } }).breaker;
  return breaker?.available ?? true;
}

/** Ask the provider not to charge more than its catalog price (plus 20% for price moves since the last sync). */
function maxCostFor(offer: PricedOffer): number {
  return Math.ceil(offer.cost * 1.2);
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
