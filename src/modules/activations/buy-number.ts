import type { Executor } from '../../db/client.ts';
import { transaction } from '../../db/tx.ts';
import { summarizeDatabaseError } from '../../lib/database-errors.ts';
import { DomainError } from '../../lib/errors.ts';
import type { ProviderFailure, PurchasedNumber } from '../../provider-clients/port.ts';
import type { CountryInfo, PricedOffer, ServiceInfo } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import { phoneLookupHash, sealFor } from '../keyring/index.ts';
import { releaseHold } from '../ledger/index.ts';
import { queueProviderTask } from './actions.ts';
import { FIRST_POLL_MS } from './poll-upstream.ts';
import { type ProviderCall, providerCall, recordProviderCalls } from './provider-calls.ts';
import { lockActivationRow } from './store.ts';
import { recordTransition, recordTransitionIfUnchanged } from './transition.ts';
import type { ActivationRow } from './view.ts';

/** Stop trying further providers after this long (a `requesting` order is declared interrupted at 2 minutes). */
export const BUY_BUDGET_MS = 45_000;

export interface ProviderRefusal {
  provider: string;
  failure: ProviderFailure;
  /** The call, for the provider-call log (upstream providers only; absent when the provider was not asked). */
  call?: ProviderCall;
}

/**
 * Steps 2 and 3 of an order (create.ts), outside any transaction: the candidates, cheapest first, until
 * one sells or time runs out; the number sold is recorded on the order (`waiting`). Answers the order
 * (its number plain, as sold: see `boughtOrder`), or why each provider asked did not sell.
 */
export async function buyFromCandidates(
  ctx: Ctx,
  requested: ActivationRow,
  candidates: PricedOffer[],
): Promise<{ assigned: ActivationRow } | { refusals: ProviderRefusal[] }> {
  const refusals: ProviderRefusal[] = [];
  const deadline = ctx.clock.now().getTime() + BUY_BUDGET_MS;
  for (const offer of candidates) {
    if (refusals.length > 0 && ctx.clock.now().getTime() >= deadline) {
      refusals.push({ provider: offer.provider.name, failure: { kind: 'timeout', message: 'not asked: the order ran out of time' } });
      break;
    }
    const started = performance.now();
    const bought = await offer.provider.buyNumber({ service: requested.service, country: requested.country, maxCost: maxCostFor(offer) });
    // Upstream calls are logged (ADR 36); the in-process sandbox is not an upstream.
    const call =
      offer.provider.kind === 'sandbox'
        ? undefined
        : providerCall(offer.provider.name, 'buy', started, performance.now(), bought, () => 'a number sold');
    if (bought.ok) {
      try {
        return { assigned: await assignNumber(ctx, requested, offer, bought.value, refusals, call) };
      } catch (error) {
        if (!isUpstreamIdTaken(error)) throw error;
        // The provider answered with an activation id another order already holds: a broken answer. The
        // number is not cancelled upstream (that id is the other order's, which a cancel would end); the
        // next provider is asked, and an order nobody sells to fails with its hold given back.
        ctx.log.error(
          { activationId: requested.id, provider: offer.provider.name },
          'provider sold an activation id another order holds: answer refused',
        );
        refusals.push({
          provider: offer.provider.name,
          failure: { kind: 'protocol_error', message: 'the provider answered an activation id another order already holds' },
          call,
        });
        continue;
      }
    }
    refusals.push({ provider: offer.provider.name, failure: bought.failure, call });
    ctx.log.warn(
      { activationId: requested.id, provider: offer.provider.name, failure: bought.failure.kind },
      'provider could not sell a number',
    );
  }
  return { refusals };
}

/**
 * The number goes to the order only while it is `requesting`: one conditional statement decides and
 * records it. If the sweep failed the order while we were buying, the number is given back (the task is
 * committed before the refusal is thrown), never leaked.
 */
async function assignNumber(
  ctx: Ctx,
  requested: ActivationRow,
  offer: PricedOffer,
  number: PurchasedNumber,
  refusals: ProviderRefusal[],
  call: ProviderCall | undefined,
): Promise<ActivationRow> {
  const now = ctx.clock.now();
  // The purchase's calls (the refusals before it and the sale) are written by the statement that records the sale.
  const calls = [...refusals.flatMap((refusal) => (refusal.call ? [refusal.call] : [])), ...(call ? [call] : [])];
  const assigned = await recordTransitionIfUnchanged(ctx.db, now, requested, {
    type: 'number_assigned',
    to: 'waiting',
    set: {
      provider: offer.provider.name,
      upstreamId: number.upstreamId,
      // Sealed under the account's key (ADR 28); the caller gets it opened.
      phone: await sealFor(ctx, requested.accountId, 'activations.phone', requested.id, number.phone),
      // Staff find the order by its number through this keyed hash, never by opening every order (ADR 32).
      phoneHash: phoneLookupHash(ctx.keys, number.phone),
      // What this provider's number sells for (the hold may be larger: the rest comes back).
      price: offer.price,
      providerCost: number.cost ?? offer.cost,
      providerCurrency: offer.currency,
      sandbox: offer.provider.kind === 'sandbox',
      // The sandbox pushes its SMS, and the pool's arrive through its gateways; upstream providers are
      // polled (and may push too).
      ...(offer.provider.kind === 'sandbox' || offer.provider.kind === 'pool'
        ? {}
        : { nextPollAt: new Date(now.getTime() + FIRST_POLL_MS), pollAttempts: 0 }),
      // The rental starts now: the customer gets the full lifetime and the documented cancel window.
      expiresAt: new Date(now.getTime() + ctx.config.activationTtlS * 1000),
      cancellableAt: new Date(now.getTime() + ctx.config.cancelMinS * 1000),
    },
    actor: 'provider',
    details: { provider: offer.provider.name, failedOver: refusals.map((f) => f.provider) },
    balanceChanged: true,
    providerCalls: calls,
  });
  if (assigned) return { ...assigned, phone: number.phone };
  await recordProviderCalls(ctx.db, requested.id, calls, now);
  await queueProviderTask(ctx.db, { ...requested, provider: offer.provider.name, upstreamId: number.upstreamId }, 'cancel', now);
  throw new DomainError('PROVIDER_UNAVAILABLE', 'The provider took too long to answer; the order was cancelled and nothing was charged.');
}

/** The unique key of (provider, upstream id) refused the number: the provider sold an id already recorded. */
const isUpstreamIdTaken = (error: unknown): boolean => {
  const summary = summarizeDatabaseError(error);
  return summary?.code === '23505' && summary.constraint === 'activations_upstream_key';
};

/** Only "none in stock" (or "above your maximum") answers: the order failed for want of numbers, not of providers. */
export const onlyNoStock = (refusals: ProviderRefusal[]) =>
  refusals.length > 0 && refusals.every((f) => f.failure.kind === 'no_numbers' || f.failure.kind === 'price_above_max');

/** Step 3b, one transaction: nobody sold a number, so the order fails and its hold is released (it costs nothing). */
export async function failUnsoldOrder(
  ctx: Ctx,
  requested: ActivationRow,
  service: ServiceInfo,
  country: CountryInfo,
  refusals: ProviderRefusal[],
): Promise<void> {
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
      set: { failureReason: onlyNoStock(refusals) ? 'no_numbers' : 'provider_unavailable', endedAt: now },
      actor: 'provider',
      details: { failures: refusals.map((f) => ({ provider: f.provider, kind: f.failure.kind })) },
    });
    await recordProviderCalls(
      tx,
      requested.id,
      refusals.flatMap((refusal) => (refusal.call ? [refusal.call] : [])),
      now,
    );
  });
}

/** The order, locked, if it is still waiting for its number. */
async function lockRequesting(tx: Executor, id: string): Promise<ActivationRow | undefined> {
  const row = await lockActivationRow(tx, id);
  return row?.status === 'requesting' ? row : undefined;
}

/** Ask the provider not to charge more than its catalog price (plus 20% for price moves since the last sync). */
function maxCostFor(offer: PricedOffer): number {
  return Math.ceil(offer.cost * 1.2);
}
