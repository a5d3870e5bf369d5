import { emailOutbox } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';

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
  await ctx.db.insert(emailOutbox).values({
    id: newId('eml', now.getTime()),
    accountId: email.accountId ?? null,
    toAddress: email.to,
    template: email.template,
    subject: email.subject,
    bodyText: email.text,
    status: 'pending',
    nextAttemptAt: now,
    createdAt: now,
  });
}
