import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { gatewayMessages } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import type { InboundSms } from '../../gateway-clients/port.ts';
import { newId } from '../../lib/ids.ts';
import { seal } from '../../lib/sealed.ts';
import { type ActivationDeps, receiveSms } from '../activations/index.ts';
import { type Ctx, withDb } from '../context.ts';
import { CLOCK_SKEW_MS, type LeaseForMessage, noteLeaseSms, POOL_PROVIDER, receiverLease } from '../pool/index.ts';
import { receiveRentalSms } from '../rentals/index.ts';

/** Where one inbound SMS went. `duplicate`: already received (by its message id or its content). */
export type GatewaySmsOutcome =
  | { outcome: 'order'; activationId: string; charged: boolean }
  | { outcome: 'late'; activationId: string }
  | { outcome: 'rental'; rentalId: string; late: boolean }
  | { outcome: 'unmatched'; reason: 'unknown_number' | 'no_lease' | 'unknown_order' | 'unknown_rental' }
  | { outcome: 'duplicate' };

export interface GatewayRef {
  id: string;
  name: string;
}

/**
 * One SMS a gateway received on one of the pool's numbers, in one transaction with what it changes:
 * recorded once (by the channel's message id and by its content: the Android app may send one SMS
 * again under another id), then routed by its receiver (the Android device and SIM slot first, else
 * the receiving number) and the time it arrived:
 * - the number's lease open at that time, or ended no longer than POOL_COOLDOWN_MINUTES before, of
 *   kind `order` → the order (`receiveSms`: the code, the charge, the live event; marked late,
 *   free, when the order has ended);
 * - of kind `rental` → the rental (`receiveRentalSms`: the message, the live `rental.sms` event;
 *   nothing charged, the period's price is; marked late after the rental ended);
 * - otherwise it is unmatched: kept for staff (sender and text sealed), never shown to a customer.
 */
export async function receiveGatewaySms(ctx: Ctx, deps: ActivationDeps, gateway: GatewayRef, sms: InboundSms): Promise<GatewaySmsOutcome> {
  const result = await transaction(ctx.db, async (tx): Promise<GatewaySmsOutcome> => {
    const now = ctx.clock.now();
    // The phone's time places the message in a lease (a retry may come long after); never in the future.
    const at = sms.receivedAt && sms.receivedAt.getTime() <= now.getTime() + CLOCK_SKEW_MS ? minDate(sms.receivedAt, now) : now;
    // The number and its lease in one round trip (the lease locked for this transaction).
    const { numberId, lease } = await receiverLease(tx, ctx.config, gateway.id, sms.receiver, at);
    const id = newId('gmsg', now.getTime());
    const unmatched = lease === undefined;
    const inserted = await tx
      .insert(gatewayMessages)
      .values({
        id,
        gatewayId: gateway.id,
        messageKey: sms.messageId ?? null,
        contentKey: contentKey(numberId, lease?.id, sms),
        numberId: numberId ?? null,
        leaseId: lease?.id ?? null,
        outcome: lease?.kind ?? 'unmatched',
        ...(unmatched ? sealedContent(ctx, id, sms) : {}),
        receivedAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: gatewayMessages.id });
    if (inserted.length === 0) return { outcome: 'duplicate' };
    if (!numberId) return { outcome: 'unmatched', reason: 'unknown_number' };
    if (!lease) return { outcome: 'unmatched', reason: 'no_lease' };
    if (lease.kind === 'order') return toOrder(withDb(ctx, tx), deps, id, lease, sms, at);
    return toRental(withDb(ctx, tx), deps, id, lease, sms, at);
  });
  const log = {
    gateway: gateway.name,
    outcome: result.outcome,
    ...('activationId' in result ? { activationId: result.activationId } : {}),
    ...('rentalId' in result ? { rentalId: result.rentalId } : {}),
  };
  // Never the text or the sender.
  if (result.outcome === 'unmatched')
    ctx.log.warn({ ...log, reason: result.reason }, 'an SMS reached an own number but no order: kept for staff');
  else ctx.log.info(log, 'gateway SMS received');
  return result;
}

async function toOrder(
  ctx: Ctx,
  deps: ActivationDeps,
  messageId: string,
  lease: LeaseForMessage,
  sms: InboundSms,
  at: Date,
): Promise<GatewaySmsOutcome> {
  const received = await receiveSms(ctx, deps, {
    target: { provider: POOL_PROVIDER, upstreamId: lease.id },
    text: sms.text,
    receivedAt: at,
    messageId: sms.messageId,
    source: 'gateway',
  });
  if (received.outcome === 'unknown_order' || !received.activationId) {
    // A lease whose order was never recorded (the reconcile job gives it back): nobody's message.
    await markUnmatched(ctx, messageId, sms);
    return { outcome: 'unmatched', reason: 'unknown_order' };
  }
  await noteLeaseSms(ctx.db, lease.id, at);
  if (received.outcome === 'late') {
    await markLate(ctx, messageId);
    return { outcome: 'late', activationId: received.activationId };
  }
  return { outcome: 'order', activationId: received.activationId, charged: received.outcome === 'charged' };
}

async function toRental(
  ctx: Ctx,
  deps: ActivationDeps,
  messageId: string,
  lease: LeaseForMessage,
  sms: InboundSms,
  at: Date,
): Promise<GatewaySmsOutcome> {
  const received = await receiveRentalSms(
    ctx,
    lease.id,
    { sender: sms.sender, text: sms.text, receivedAt: at, messageId: sms.messageId },
    deps.ephemeral,
  );
  if (received.outcome === 'unknown_rental' || !received.rentalId) {
    // A rental lease whose rental was never recorded: nobody's message.
    await markUnmatched(ctx, messageId, sms);
    return { outcome: 'unmatched', reason: 'unknown_rental' };
  }
  if (received.outcome === 'duplicate') return { outcome: 'duplicate' };
  const late = received.outcome === 'late';
  if (late) await markLate(ctx, messageId);
  return { outcome: 'rental', rentalId: received.rentalId, late };
}

/** The message turned out to be nobody's: kept for staff, its sender and text sealed. */
async function markUnmatched(ctx: Ctx, messageId: string, sms: InboundSms): Promise<void> {
  await ctx.db
    .update(gatewayMessages)
    .set({ outcome: 'unmatched', ...sealedContent(ctx, messageId, sms) })
    .where(eq(gatewayMessages.id, messageId));
}

const markLate = (ctx: Ctx, messageId: string) =>
  ctx.db.update(gatewayMessages).set({ outcome: 'late' }).where(eq(gatewayMessages.id, messageId));

const minDate = (a: Date, b: Date) => (a.getTime() <= b.getTime() ? a : b);

/**
 * The same SMS sent again, whatever its event id: receiver, sender, the phone's time and the text.
 * A channel that gives no time nor id (an SMPP `deliver_sm`: its answer lost on a dropped link, the
 * SMSC sends it again) is keyed by the lease instead: the same sender and text to the same order or
 * rental is one message (an identical text sent again for one order carries the same code). Null
 * otherwise (an unmatched message may then be kept twice for staff).
 */
function contentKey(numberId: string | undefined, leaseId: string | undefined, sms: InboundSms): string | null {
  const text = createHash('sha256').update(sms.text).digest('hex');
  if (!sms.receivedAt) {
    if (sms.messageId || !leaseId) return null;
    return createHash('sha256')
      .update(JSON.stringify(['lease', leaseId, sms.sender, text]))
      .digest('hex');
  }
  const receiver = numberId ?? `${sms.receiver.device ?? ''}/${sms.receiver.sim ?? ''}/${sms.receiver.number ?? ''}`;
  return createHash('sha256')
    .update(JSON.stringify([receiver, sms.sender, sms.receivedAt.toISOString(), text]))
    .digest('hex');
}

function sealedContent(ctx: Ctx, id: string, sms: InboundSms) {
  return {
    senderSealed: seal(ctx.keys, 'gateway-messages', `${id}:sender`, sms.sender),
    textSealed: seal(ctx.keys, 'gateway-messages', `${id}:text`, sms.text),
  };
}
