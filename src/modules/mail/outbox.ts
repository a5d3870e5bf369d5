import { emailOutbox } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import { type KeyCtx, readAccountKey, sealFor } from '../keyring/index.ts';

export interface Email {
  to: string;
  subject: string;
  text: string;
  template: string;
  accountId?: string;
}

/**
 * Queue an e-mail in the caller's transaction: it leaves only if what it announces committed, and it
 * is never lost if the process dies before sending. The `email-delivery` job sends it.
 */
export async function enqueueEmail(ctx: Ctx, email: Email): Promise<void> {
  const now = ctx.clock.now();
  const id = newId('eml', now.getTime());
  // An account's mail is sealed under its key (ADR 28): the address, and the body that may quote it.
  const accountId = email.accountId;
  await ctx.db.insert(emailOutbox).values({
    id,
    accountId: accountId ?? null,
    toAddress: accountId ? await sealFor(ctx, accountId, 'email_outbox.to_address', id, email.to) : email.to,
    template: email.template,
    subject: email.subject,
    bodyText: accountId ? await sealFor(ctx, accountId, 'email_outbox.body_text', id, email.text) : email.text,
    status: 'pending',
    nextAttemptAt: now,
    createdAt: now,
  });
}

/**
 * A queued e-mail's address and body, opened: `undefined` when its account was erased since (its key
 * destroyed), and the message can no longer be sent.
 */
export async function openQueuedEmail(
  ctx: KeyCtx,
  row: { id: string; accountId: string | null; toAddress: string; bodyText: string },
): Promise<{ to: string; text: string } | undefined> {
  if (row.accountId === null) return { to: row.toAddress, text: row.bodyText };
  const key = await readAccountKey(ctx, row.accountId);
  if (!key) return undefined;
  return { to: key.open('email_outbox.to_address', row.id, row.toAddress), text: key.open('email_outbox.body_text', row.id, row.bodyText) };
}
