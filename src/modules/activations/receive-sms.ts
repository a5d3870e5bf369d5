import { and, eq } from 'drizzle-orm';
import { activationSms, activations } from '../../db/schema/index.ts';
import { afterCommit, transaction } from '../../db/tx.ts';
import { serviceByCode } from '../catalog/index.ts';
import { type Ctx, withDb } from '../context.ts';
import type { ActivationDeps } from './deps.ts';
import { type IncomingSms, type OrderSms, orderSms } from './order-sms.ts';
import { withholdsLateSms } from './states.ts';
import { captureAndRecordTransition, recordTransition } from './transition.ts';
import { type ActivationRow, maskPhone, openPhone } from './view.ts';

export type { IncomingSms } from './order-sms.ts';

export type SmsOutcome = 'charged' | 'recorded' | 'late' | 'duplicate' | 'unknown_order';

/**
 * An SMS arrived for an order. The first one spends the hold (capture), with a code read in it or not,
 * and the order is `received`; later ones (after "another code") are free; one that arrives after the order ended is
 * never charged, and after an unpaid end it is withheld (`withholdsLateSms`: it came, what it said is
 * neither kept nor shown). The same message pushed or polled twice is
 * recorded once. An SMS for an order we do not know is ignored (a push is never trusted blindly).
 */
export async function receiveSms(
  ctx: Ctx,
  deps: ActivationDeps,
  sms: IncomingSms,
): Promise<{ outcome: SmsOutcome; activationId?: string }> {
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const where =
      'activationId' in sms.target
        ? eq(activations.id, sms.target.activationId)
        : and(eq(activations.provider, sms.target.provider), eq(activations.upstreamId, sms.target.upstreamId));
    const [row] = await tx.select().from(activations).where(where).for('update');
    if (!row || row.status === 'requesting') return { outcome: 'unknown_order' as const };
    const stored = await orderSms(withDb(ctx, tx), row, sms, now);
    const { plaintext: _, ...values } = stored;
    const inserted = await tx.insert(activationSms).values(values).onConflictDoNothing().returning({ id: activationSms.id });
    if (inserted.length === 0) return { outcome: 'duplicate' as const, activationId: row.id };
    return { outcome: await settleOrderSms(withDb(ctx, tx), deps, row, stored, now), activationId: row.id };
  });
}

/**
 * What an SMS just stored for the locked order `row` changes, in the caller's transaction: the first
 * SMS of a waiting order captures its hold and the order is `received`; any other SMS is an event
 * of the order (`sms_received`, or `late_sms` once it ended, never charged). Both announce the SMS.
 */
export async function settleOrderSms(ctx: Ctx, deps: ActivationDeps, row: ActivationRow, sms: OrderSms, now: Date): Promise<SmsOutcome> {
  const { code, late } = sms;
  let outcome: SmsOutcome = late ? 'late' : 'recorded';
  // Announced after the order's change, in the same statement.
  const smsEvent = {
    type: 'sms.received' as const,
    payload: {
      activationId: row.id,
      smsId: sms.id,
      code,
      late,
      withheld: late && withholdsLateSms(row.status),
      receivedAt: now.toISOString(),
    },
  };
  // The first SMS of a waiting order spends its hold, whether or not a code was read in it: its text is
  // shown, and a code the reader missed ("Your PIN: 12 34 56", a sign-in link) is still a code. Charging
  // only on a code read let an order show such a message and then be cancelled for a refund.
  if (row.status === 'waiting') {
    const service = serviceByCode(row.service)?.name ?? row.service;
    // The order is locked (by the caller): "only if still waiting" always holds, and the capture, the
    // update, its audit event and the account events go in one statement.
    const capture = {
      holdId: row.holdId as string,
      // The price of the number sold; a hold taken for a dearer fallback gives the rest back.
      amount: row.price,
      idempotencyKey: `${row.id}:capture`,
      reason: `${service} number ${maskPhone(await openPhone(ctx, row))}, ${code ? 'code' : 'SMS'} received`,
      metadata: { activationId: row.id },
    };
    const written = await captureAndRecordTransition(ctx, now, row, capture, {
      type: 'code_received',
      to: 'received',
      set: { receivedAt: now },
      actor: 'provider',
      balanceChanged: true,
      alsoEmit: [smsEvent],
    });
    if (!written) throw new Error(`order ${row.id} left waiting while locked`);
    outcome = 'charged';
  } else {
    await recordTransition(ctx.db, now, row, {
      type: late ? 'late_sms' : 'sms_received',
      set: row.status === 'received' ? { retryRequestedAt: null } : undefined,
      actor: 'provider',
      details: late ? { status: row.status } : undefined,
      alsoEmit: [smsEvent],
    });
  }
  // Ephemeral storage: the text lives in this process's memory only, once the SMS is committed.
  const text = sms.plaintext;
  if (text) afterCommit(ctx.db, () => deps.ephemeral.remember(row.id, sms.id, text));
  return outcome;
}
