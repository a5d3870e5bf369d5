import { eq } from 'drizzle-orm';
import { activations } from '../../../src/db/schema/index.ts';
import { STRIPE_WEBHOOK_SECRET } from '../../support/stripe.ts';
import { stripeDelivery } from '../../support/stripe-events.ts';
import { type Fleet, ORDER } from './fleet.ts';
import { answerOf, type Balancer, lastAttempt, type Operation, succeeded } from './history.ts';

/**
 * What the clients of a storm do, written once for both fault tests: each customer orders numbers
 * under Idempotency-Keys, tops up with a card (Stripe completes the checkout and signs its webhook),
 * and each order it is told about is then either sent an SMS upstream or cancelled.
 */
export interface StormRecord {
  /** Orders sent an SMS upstream: activation id → the code. */
  smsSent: Map<string, string>;
  /** Top-ups whose webhook was acknowledged: payment id → client. */
  credited: Map<string, number>;
}

export const newStormRecord = (): StormRecord => ({ smsSent: new Map(), credited: new Map() });

export interface OrderAnswer {
  id: string;
  price: number;
  status: string;
}

const bearer = (fleet: Fleet, client: number) => ({ authorization: (fleet.customers[client] as { bearer: string }).bearer });

export function orderRequest(fleet: Fleet, client: number, key: string): Omit<Operation, 'attempts'> {
  return {
    client,
    op: 'order',
    method: 'POST',
    path: '/api/v1/activations',
    headers: bearer(fleet, client),
    idempotencyKey: key,
    body: ORDER,
  };
}

/** What follows an acknowledged order: an SMS upstream for `withSms`, else the customer cancels it. */
export async function followUp(fleet: Fleet, balancer: Balancer, record: StormRecord, order: Operation, withSms: boolean): Promise<void> {
  const answer = answerOf<OrderAnswer>(order);
  if (!answer) return;
  const [row] = await fleet.database.db
    .select({ upstreamId: activations.upstreamId, status: activations.status })
    .from(activations)
    .where(eq(activations.id, answer.id));
  // An order still being bought (its instance died between the purchase and its record) has no number yet.
  if (!row?.upstreamId || row.status !== 'waiting') return;
  if (withSms) {
    const code = String(100_000 + record.smsSent.size);
    fleet.upstream.deliverSms(row.upstreamId, { text: `Your code is ${code}`, code });
    record.smsSent.set(answer.id, code);
    return;
  }
  await balancer.request({
    client: order.client,
    op: 'cancel',
    method: 'POST',
    path: `/api/v1/activations/${answer.id}/cancel`,
    headers: bearer(fleet, order.client),
  });
}

/** A card top-up: the checkout, then Stripe's signed webhook, retried as Stripe retries until a 2xx. */
export async function topUp(fleet: Fleet, balancer: Balancer, record: StormRecord, client: number, key: string): Promise<Operation> {
  const checkout = await balancer.request({
    client,
    op: 'checkout',
    method: 'POST',
    path: '/api/v1/payments/checkout',
    headers: bearer(fleet, client),
    idempotencyKey: key,
    body: { package: fleet.topUp.code, method: 'card' },
  });
  await completeCheckout(fleet, balancer, record, checkout);
  return checkout;
}

export async function completeCheckout(fleet: Fleet, balancer: Balancer, record: StormRecord, checkout: Operation): Promise<void> {
  const paymentId = answerOf<{ paymentId: string }>(checkout)?.paymentId;
  if (!paymentId || record.credited.has(paymentId)) return;
  const session = [...fleet.stripe.sessions.values()].find((s) => s.client_reference_id === paymentId);
  if (!session) throw new Error(`no Stripe session for ${paymentId}`);
  const { session: paid } = fleet.stripe.complete(session.id as string);
  const { payload, headers } = stripeDelivery(fleet.stripe.event('checkout.session.completed', paid), STRIPE_WEBHOOK_SECRET);
  const webhook = await balancer.request({
    client: checkout.client,
    op: 'stripe-webhook',
    method: 'POST',
    path: '/webhooks/stripe',
    headers,
    body: payload,
    ref: paymentId,
  });
  for (let i = 0; i < 20 && !succeeded(webhook); i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    await balancer.retry(webhook);
  }
  if (succeeded(webhook)) record.credited.set(paymentId, checkout.client);
}

/** An operation whose outcome is not a definite answer: unknown, or a server error. */
export const unresolved = (operation: Operation): boolean => {
  const last = lastAttempt(operation);
  return last?.kind === 'unknown' || (last?.kind === 'answered' && last.status >= 500);
};
