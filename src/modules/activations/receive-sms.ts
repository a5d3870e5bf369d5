import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { activationSms, activations } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { newId } from '../../lib/ids.ts';
import { serviceByCode } from '../catalog/index.ts';
import { type Ctx, withDb } from '../context.ts';
import { AccountKeyDestroyedError, accountKeyForSealing } from '../keyring/index.ts';
import { captureHold } from '../ledger/index.ts';
import { extractCode } from '../otp/index.ts';
import type { ActivationDeps } from './deps.ts';
import { isOpenWithNumber } from './states.ts';
import { recordTransition, recordTransitionIfUnchanged } from './transition.ts';
import { type ActivationRow, maskPhone, openPhone } from './view.ts';

export interface IncomingSms {
  /** Our order id (sandbox), or the provider and its activation id (pushes and polls). */
  target: { activationId: string } | { provider: string; upstreamId: string };
  text: string | null;
  /** The provider's own reading of the code, used when the text gives none. */
  providerCode?: string | null;
  receivedAt?: Date;
  /** The provider's message id when it has one. */
  messageId?: string;
  source: 'sandbox' | 'provider_push' | 'provider_poll' | 'gateway';
}

export type SmsOutcome = 'charged' | 'recorded' | 'late' | 'duplicate' | 'unknown_order';

/**
 * An SMS arrived for an order. The first one with a code spends the hold (capture) and the order is
 * `received`; later ones (after "another code") are free; one that arrives after the order ended is
 * recorded for the customer to see but never charged. The same message pushed or polled twice is
 * recorded once. An SMS for an order we do not know is ignored (a push is never trusted blindly).
 */
export async function receiveSms(
  ctx: Ctx,
  deps: ActivationDeps,
  sms: IncomingSms,
): Promise<{ outcome: SmsOutcome; activationId?: string }> {
  const code = (sms.text ? extractCode(sms.text) : null) ?? normaliseProviderCode(sms.providerCode);
  // One code is one message, however it reached us: pushed with its text, polled with only the code
  // (SMS-Activate V1), or both. A message without a code is known by its id, or else by its text.
  const dedupeKey = code
    ? `code:${code}`
    : sms.messageId
      ? `msg:${sms.messageId}`
      : `sha:${createHash('sha256')
          .update(sms.text ?? '')
          .digest('hex')
          .slice(0, 32)}`;
  const ephemeral = ctx.config.smsStorage === 'ephemeral';

  const result = await transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const where =
      'activationId' in sms.target
        ? eq(activations.id, sms.target.activationId)
        : and(eq(activations.provider, sms.target.provider), eq(activations.upstreamId, sms.target.upstreamId));
    const [row] = await tx.select().from(activations).where(where).for('update');
    if (!row || row.status === 'requesting') return { outcome: 'unknown_order' as const };

    const smsId = newId('sms', now.getTime());
    const late = !isOpenWithNumber(row.status);
    // Stored sealed under the account's key (ADR 28); after erasure there is no key, and no text is kept.
    const text = ephemeral || sms.text === null ? null : await sealedText(withDb(ctx, tx), row, smsId, sms.text);
    const inserted = await tx
      .insert(activationSms)
      .values({
        id: smsId,
        activationId: row.id,
        dedupeKey,
        code,
        text,
        late,
        receivedAt: sms.receivedAt && sms.receivedAt <= now ? sms.receivedAt : now,
        source: sms.source,
      })
      .onConflictDoNothing()
      .returning({ id: activationSms.id });
    if (inserted.length === 0) return { outcome: 'duplicate' as const, activationId: row.id };

    let outcome: SmsOutcome = late ? 'late' : 'recorded';
    // Announced after the order's change, in the same statement.
    const smsEvent = {
      type: 'sms.received' as const,
      payload: { activationId: row.id, smsId, code, late, receivedAt: now.toISOString() },
    };
    if (row.status === 'waiting' && code) {
      const service = serviceByCode(row.service)?.name ?? row.service;
      await captureHold(
        { ...ctx, db: tx },
        {
          holdId: row.holdId as string,
          // The price of the number sold; a hold taken for a dearer fallback gives the rest back.
          amount: row.price,
          idempotencyKey: `${row.id}:capture`,
          reason: `${service} number ${maskPhone(await openPhone({ ...ctx, db: tx }, row))}, code received`,
          metadata: { activationId: row.id },
        },
      );
      // The order is locked (above): "only if still waiting" always holds, and the update, its audit
      // event and the account events go in one statement instead of two.
      const written = await recordTransitionIfUnchanged(tx, now, row, {
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
      await recordTransition(tx, now, row as ActivationRow, {
        type: late ? 'late_sms' : 'sms_received',
        set: row.status === 'received' ? { retryRequestedAt: null } : undefined,
        actor: 'provider',
        details: late ? { status: row.status } : undefined,
        alsoEmit: [smsEvent],
      });
    }
    return { outcome, activationId: row.id, smsId };
  });

  if (ephemeral && sms.text && 'smsId' in result && result.smsId && result.activationId) {
    deps.ephemeral.remember(result.activationId, result.smsId, sms.text);
  }
  return { outcome: result.outcome, activationId: result.activationId };
}

async function sealedText(ctx: Ctx, row: ActivationRow, smsId: string, text: string): Promise<string | null> {
  try {
    return (await accountKeyForSealing(ctx, row.accountId)).seal('activation_sms.text', smsId, text);
  } catch (error) {
    if (error instanceof AccountKeyDestroyedError) return null;
    throw error;
  }
}

function normaliseProviderCode(code: string | null | undefined): string | null {
  if (!code) return null;
  const compact = code.replace(/[\s-]/g, '');
  return /^[0-9A-Za-z]{3,12}$/.test(compact) ? compact : null;
}
