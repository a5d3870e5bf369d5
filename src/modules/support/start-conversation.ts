import { and, eq } from 'drizzle-orm';
import { activations, supportConversations } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import { accountKeyForSealing } from '../keyring/index.ts';
import { appendMessage } from './append-message.ts';
import { checkConversationLimit, checkMessageLimit } from './limits.ts';
import type { ConversationRow, MessageRow } from './view.ts';

export interface StartInput {
  accountId: string;
  subject: string;
  body: string;
  /** One of the customer's own orders (NOT_FOUND otherwise, as for any order of another account). */
  orderId?: string | null;
}

/**
 * A customer writes to support: the conversation (its subject sealed) and its first message in one
 * transaction, waiting on staff from now. Limited per account (limits.ts).
 */
export async function startConversation(ctx: Ctx, input: StartInput): Promise<{ conversation: ConversationRow; message: MessageRow }> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    await checkConversationLimit(txCtx, input.accountId);
    await checkMessageLimit(txCtx, input.accountId);
    if (input.orderId) {
      // The order's own row, read here only to check that it is the customer's: an order of another account is not found.
      const [order] = await tx
        .select({ id: activations.id })
        .from(activations)
        .where(and(eq(activations.id, input.orderId), eq(activations.accountId, input.accountId)));
      if (!order) throw new DomainError('NOT_FOUND', 'No such order.');
    }
    const now = ctx.clock.now();
    const id = newId('spc', now.getTime());
    const key = await accountKeyForSealing(txCtx, input.accountId);
    const [conversation] = await tx
      .insert(supportConversations)
      .values({
        id,
        accountId: input.accountId,
        orderId: input.orderId || null,
        subject: key.seal('support_conversations.subject', id, input.subject),
        // Waiting from the first message, which appendMessage adds.
        status: 'open',
        waitingSince: now,
        createdAt: now,
        lastActivityAt: now,
      })
      .returning();
    if (!conversation) throw new Error('support conversation not inserted');
    return appendMessage(txCtx, conversation, { author: 'customer', body: input.body });
  });
}
