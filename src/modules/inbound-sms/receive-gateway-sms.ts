import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { rowMapper } from '../../db/client.ts';
import { runStatement } from '../../db/raw-driver.ts';
import { gatewayMessages, poolLeases } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import type { InboundSms } from '../../gateway-clients/port.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { seal } from '../../lib/sealed.ts';
import { type ActivationDeps, orderFromRow, orderSms, orderSmsValues, settleOrderSms } from '../activations/index.ts';
import { servicesNamedIn } from '../catalog/index.ts';
import { type Ctx, withDb } from '../context.ts';
import {
  CLOCK_SKEW_MS,
  type LeaseForMessage,
  leaseAt,
  noteLeaseValues,
  noteServicesNamed,
  parseE164,
  soldForAnotherOf,
} from '../pool/index.ts';
import { receiveRentalSms } from '../rentals/index.ts';
import { ORDER_PREFIX, RECEIVE, RECORD } from './statements.ts';

/** Where one inbound SMS went. `duplicate`: already received (by its message id or its content). */
export type GatewaySmsOutcome =
  | { outcome: 'order'; activationId: string; charged: boolean }
  | { outcome: 'late'; activationId: string }
  | { outcome: 'rental'; rentalId: string; late: boolean }
  | {
      outcome: 'unmatched';
      reason: 'unknown_number' | 'no_lease' | 'unknown_order' | 'unknown_rental' | 'unpaid_rental' | 'another_service';
    }
  | { outcome: 'duplicate' };

export interface GatewayRef {
  id: string;
  name: string;
}

const leaseFromRow = rowMapper(poolLeases, 'lease_');
const orderOf = orderFromRow(ORDER_PREFIX);

/**
 * One SMS a gateway received on one of the pool's numbers, in one transaction with what it changes:
 * recorded once (by the channel's message id and by its content: the Android app may send one SMS
 * again under another id), then routed by its receiver (the Android device and SIM slot first, else
 * the receiving number) and the time it arrived:
 * - the number's lease open at that time, or ended no longer than POOL_COOLDOWN_MINUTES before, of
 *   kind `order` → the order (its SMS stored with the message, then `settleOrderSms`: the charge and
 *   the live event; marked late, free, when the order has ended);
 * - of kind `rental` → the rental (`receiveRentalSms`: the message, the live `rental.sms` event;
 *   nothing charged, the period's price is; marked late after the rental ended);
 * - otherwise it is unmatched: kept for staff (sender and text sealed), never shown to a customer.
 *
 * `replayKey` (a webhook delivery's, given with its first SMS) is recorded in the same round trip as
 * the routing: a delivery accepted before is refused (`CONFLICT`), and the transaction rolls back.
 */
export async function receiveGatewaySms(
  ctx: Ctx,
  deps: ActivationDeps,
  gateway: GatewayRef,
  sms: InboundSms,
  replayKey?: string,
): Promise<GatewaySmsOutcome> {
  const result = await transaction(ctx.db, async (tx): Promise<GatewaySmsOutcome> => {
    const now = ctx.clock.now();
    // The phone's time places the message in a lease (a retry may come long after); never in the future.
    const at = sms.receivedAt && sms.receivedAt.getTime() <= now.getTime() + CLOCK_SKEW_MS ? minDate(sms.receivedAt, now) : now;
    const number = sms.receiver.number ? (parseE164(sms.receiver.number)?.number ?? sms.receiver.number.trim()) : null;
    // The number, its lease and the lease's order (both locked), and the replay key: one round trip.
    const [found] = await runStatement(tx, RECEIVE, {
      gateway: gateway.id,
      device: sms.receiver.device ?? null,
      sim: sms.receiver.sim ?? null,
      number,
      at: at.toISOString(),
      startedBy: new Date(at.getTime() + CLOCK_SKEW_MS).toISOString(),
      endedSince: new Date(at.getTime() - ctx.config.poolCooldownMs).toISOString(),
      replayKey: replayKey ?? null,
      now: now.toISOString(),
    });
    if (replayKey !== undefined && Number(found?.replay_fresh) !== 1)
      throw new DomainError('CONFLICT', 'This delivery was already received (the same timestamp and signature): a replay is refused.');
    const numberId = (found?.picked_number_id as string | null | undefined) ?? undefined;
    const lease = numberId && found?.lease_id ? leaseAt(leaseFromRow(found), ctx.config, at) : undefined;
    // An order lease whose order was never recorded, or not yet given its number (the reconcile job
    // gives such a lease back): nobody's message.
    const order = lease?.kind === 'order' && found ? orderOf(found) : undefined;
    const candidate = order && order.status !== 'requesting' ? order : undefined;
    // A code naming another service that the number was sold for within the reuse period is that
    // buyer's, not the holder's: kept for staff, never shown (the reuse rule holds per service only if
    // another service's buyer cannot read it). Asked only when the message names another service.
    const othersNamed = candidate ? servicesNamedIn(sms.sender, sms.text).filter((service) => service !== candidate.service) : [];
    const meantForAnother =
      candidate !== undefined &&
      numberId !== undefined &&
      lease !== undefined &&
      (await soldForAnotherOf(tx, ctx.config, { numberId, services: othersNamed, at, leaseId: lease.id }));
    const holder = meantForAnother ? undefined : candidate;
    const id = newId('gmsg', now.getTime());
    const stored = holder
      ? await orderSms(withDb(ctx, tx), holder, { text: sms.text, receivedAt: at, messageId: sms.messageId, source: 'gateway' }, now)
      : undefined;
    const outcome = stored ? (stored.late ? 'late' : 'order') : lease && lease.kind === 'rental' ? 'rental' : 'unmatched';
    const [recorded] = await runStatement(tx, RECORD, {
      'message.id': id,
      'message.gateway': gateway.id,
      'message.messageKey': sms.messageId ?? null,
      'message.contentKey': contentKey(numberId, lease?.id, sms),
      'message.number': numberId ?? null,
      'message.lease': lease?.id ?? null,
      'message.outcome': outcome,
      ...sealedContent(ctx, outcome === 'unmatched' ? id : undefined, sms),
      'message.now': now.toISOString(),
      ...orderSmsValues(stored),
      ...noteLeaseValues(stored ? lease?.id : undefined, at),
    });
    if (Number(recorded?.recorded) !== 1) return { outcome: 'duplicate' };
    if (!numberId) return { outcome: 'unmatched', reason: 'unknown_number' };
    if (!lease) return { outcome: 'unmatched', reason: 'no_lease' };
    if (lease.kind === 'rental') return toRental(withDb(ctx, tx), deps, id, lease, sms, at);
    if (meantForAnother) return { outcome: 'unmatched', reason: 'another_service' };
    if (!holder || !stored) return { outcome: 'unmatched', reason: 'unknown_order' };
    // The same code (or message) for this order again, under another message: recorded once.
    if (Number(recorded?.order_sms) !== 1) return { outcome: 'order', activationId: holder.id, charged: false };
    // Its buyer read a code of these services too: none is sold to someone else within the reuse period.
    await noteServicesNamed(tx, { numberId, leaseId: lease.id, services: othersNamed, at });
    const settled = await settleOrderSms(withDb(ctx, tx), deps, holder, stored, now);
    if (settled === 'late') return { outcome: 'late', activationId: holder.id };
    return { outcome: 'order', activationId: holder.id, charged: settled === 'charged' };
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
  if (received.outcome === 'unknown_rental' || received.outcome === 'unpaid' || !received.rentalId) {
    // A rental lease whose rental was never recorded, or a late SMS of a rental given back whole (nothing
    // paid): nobody's message.
    await markUnmatched(ctx, messageId, sms);
    return { outcome: 'unmatched', reason: received.outcome === 'unpaid' ? 'unpaid_rental' : 'unknown_rental' };
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
    .set({ outcome: 'unmatched', ...sealed(ctx, messageId, sms) })
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

/** The sender and text of the message `id`, sealed for staff (only a message nobody's keeps them). */
function sealed(ctx: Ctx, id: string, sms: InboundSms) {
  return {
    senderSealed: seal(ctx.keys, 'gateway-messages', `${id}:sender`, sms.sender),
    textSealed: seal(ctx.keys, 'gateway-messages', `${id}:text`, sms.text),
  };
}

/** RECORD's sealed sender and text: those of a message nobody's (`id` given), none otherwise. */
function sealedContent(ctx: Ctx, id: string | undefined, sms: InboundSms) {
  const content = id ? sealed(ctx, id, sms) : undefined;
  return { 'message.sender': content?.senderSealed ?? null, 'message.text': content?.textSealed ?? null };
}
