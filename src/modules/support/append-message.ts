import { eq } from 'drizzle-orm';
import { accounts, auditLog, type SupportAuthor, supportConversations, supportMessages } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import { emitAccountEvents } from '../events/index.ts';
import { accountKeyForSealing, readAccountKey } from '../keyring/index.ts';
import { enqueueEmail, supportAnswerMessage } from '../mail/index.ts';
import { statusAfterMessage } from './states.ts';
import type { ConversationRow, MessageRow } from './view.ts';

export interface NewMessage {
  author: SupportAuthor;
  /** The staff member writing a staff message. */
  staffAccountId?: string;
  body: string;
}

/**
 * Add a message to a conversation, in the caller's transaction (the conversation's row locked by it):
 * the body sealed under the customer's key, the conversation's status and times moved on, the live
 * event `support.message` for the customer's streams (ids and status only, never the body), and, for
 * a staff answer, the audit row and an e-mail that an answer is waiting (where the account has an address).
 */
export async function appendMessage(
  ctx: Ctx,
  conversation: ConversationRow,
  message: NewMessage,
): Promise<{ conversation: ConversationRow; message: MessageRow }> {
  const now = ctx.clock.now();
  const id = newId('spm', now.getTime());
  const key = await accountKeyForSealing(ctx, conversation.accountId);
  const [row] = await ctx.db
    .insert(supportMessages)
    .values({
      id,
      conversationId: conversation.id,
      author: message.author,
      staffAccountId: message.author === 'staff' ? (message.staffAccountId ?? null) : null,
      body: key.seal('support_messages.body', id, message.body),
      createdAt: now,
    })
    .returning();
  const status = statusAfterMessage(message.author);
  const [updated] = await ctx.db
    .update(supportConversations)
    .set({
      status,
      // A customer's follow-up keeps their place in the queue: they have waited since their first unanswered message.
      waitingSince: status === 'open' ? (conversation.status === 'open' ? conversation.waitingSince : now) : null,
      lastActivityAt: now,
      closedAt: null,
      closedBy: null,
    })
    .where(eq(supportConversations.id, conversation.id))
    .returning();
  if (!row || !updated) throw new Error(`support conversation ${conversation.id} vanished while a message was added`);

  if (message.author === 'staff') {
    await ctx.db.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: message.staffAccountId ?? ctx.actor ?? 'staff',
      action: 'support.answered',
      accountId: conversation.accountId,
      details: { conversationId: conversation.id, messageId: id },
      occurredAt: now,
    });
    const [account] = await ctx.db
      .select({ email: accounts.email, status: accounts.status })
      .from(accounts)
      .where(eq(accounts.id, conversation.accountId));
    const opened = account?.email && account.status !== 'deleted' ? await readAccountKey(ctx, conversation.accountId) : undefined;
    if (account?.email && opened) {
      const to = opened.open('accounts.email', conversation.accountId, account.email);
      await enqueueEmail(ctx, supportAnswerMessage(ctx.config, to, conversation.accountId, conversation.id));
    }
  }
  // The last write of the transaction (events/emit.ts: the account's event head is locked until commit).
  await emitAccountEvents(
    ctx.db,
    conversation.accountId,
    [{ type: 'support.message', payload: { conversationId: conversation.id, messageId: id, author: message.author, status } }],
    now,
  );
  return { conversation: updated, message: row };
}
