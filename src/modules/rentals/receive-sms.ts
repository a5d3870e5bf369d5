import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { rentalPeriods, rentalSms, rentals } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import { emitAccountEvents } from '../events/index.ts';
import { AccountKeyDestroyedError, accountKeyForSealing } from '../keyring/index.ts';
import { extractCode } from '../otp/index.ts';
import { coolAfterLateRentalSms, noteLeaseSms } from '../pool/index.ts';
import { ephemeralKey } from './view.ts';

/** An SMS that reached a rented number, as the inbound routing has it. */
export interface RentalInboundSms {
  sender: string;
  text: string;
  receivedAt: Date;
  /** The channel's message id, when it has one. */
  messageId?: string;
}

/** `unpaid`: a late SMS of a rental given back whole (nothing paid): not the renter's, kept for staff. */
export type RentalSmsOutcome = 'recorded' | 'late' | 'duplicate' | 'unknown_rental' | 'unpaid';

/** Where SMS_STORAGE=ephemeral keeps texts for the live stream (activations' EphemeralTexts fits). */
export interface RentalTextMemory {
  remember(key: string, smsId: string, text: string): void;
  /** Forget `key`'s texts after the grace. */
  orderEnded(key: string, nowMs: number): void;
}

/**
 * An SMS reached the number of the rental holding `leaseId` (the inbound routing calls this for a
 * lease of kind `rental`, open or in its cooling minutes). One transaction: the message (code
 * extracted, text and sender sealed under the account's key — the text not stored with
 * SMS_STORAGE=ephemeral, then only shown live through `memory`), the lease marked as having received
 * one (the number then cools for POOL_REUSE_DAYS when the rental ends), the `rental.sms` event. The
 * same message delivered twice is recorded once. Nothing is charged: the period's price is.
 */
export async function receiveRentalSms(
  ctx: Ctx,
  leaseId: string,
  sms: RentalInboundSms,
  memory?: RentalTextMemory,
): Promise<{ outcome: RentalSmsOutcome; rentalId?: string; smsId?: string }> {
  const code = extractCode(sms.text);
  const dedupeKey = sms.messageId
    ? `msg:${sms.messageId}`
    : `sha:${createHash('sha256').update(`${sms.sender}\n${sms.receivedAt.toISOString()}\n${sms.text}`).digest('hex').slice(0, 32)}`;
  const ephemeral = ctx.config.smsStorage === 'ephemeral';
  const result = await transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const [rental] = await tx.select().from(rentals).where(eq(rentals.leaseId, leaseId)).for('update');
    if (!rental) return { outcome: 'unknown_rental' as const };
    const smsId = newId('rsms', now.getTime());
    let text: string | null = null;
    let sender: string | null = null;
    try {
      const key = await accountKeyForSealing(withDb(ctx, tx), rental.accountId);
      text = ephemeral ? null : key.seal('rental_sms.text', smsId, sms.text);
      sender = key.seal('rental_sms.sender', smsId, sms.sender);
    } catch (error) {
      // Erased: no key, nothing of the message is kept but its code and time.
      if (!(error instanceof AccountKeyDestroyedError)) throw error;
    }
    const late = rental.status !== 'active';
    // A rental cancelled early is given back whole: a code arriving after that was not paid for.
    if (late && !(await anyPeriodPaid(tx, rental.id))) return { outcome: 'unpaid' as const, rentalId: rental.id };
    const receivedAt = sms.receivedAt <= now ? sms.receivedAt : now;
    const inserted = await tx
      .insert(rentalSms)
      .values({ id: smsId, rentalId: rental.id, dedupeKey, code, text, sender, late, receivedAt })
      .onConflictDoNothing()
      .returning({ id: rentalSms.id });
    if (inserted.length === 0) return { outcome: 'duplicate' as const, rentalId: rental.id };
    await noteLeaseSms(tx, leaseId, receivedAt);
    // Shown after the end: the number cools for the reuse period, as for an SMS before the end.
    if (late) await coolAfterLateRentalSms(tx, ctx.config, leaseId);
    await emitAccountEvents(
      tx,
      rental.accountId,
      [{ type: 'rental.sms', payload: { rentalId: rental.id, smsId, code, late, receivedAt: receivedAt.toISOString() } }],
      now,
    );
    return { outcome: late ? ('late' as const) : ('recorded' as const), rentalId: rental.id, smsId };
  });
  if (ephemeral && memory && result.smsId && result.rentalId) {
    const key = ephemeralKey(result.rentalId, result.smsId);
    memory.remember(key, result.smsId, sms.text);
    memory.orderEnded(key, ctx.clock.now().getTime());
  }
  return result;
}

async function anyPeriodPaid(tx: Executor, rentalId: string): Promise<boolean> {
  const [paid] = await tx
    .select({ id: rentalPeriods.rentalId })
    .from(rentalPeriods)
    .where(and(eq(rentalPeriods.rentalId, rentalId), eq(rentalPeriods.status, 'captured')))
    .limit(1);
  return paid !== undefined;
}
