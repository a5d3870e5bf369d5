import type { Role, SupportStatus } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { type Ctx, withDb } from '../context.ts';
import { readAccountKey, readAccountKeys } from '../keyring/index.ts';
import { recordStaffAccess } from '../privacy/index.ts';
import { findConversation, listOwnConversations, listQueue, messagesOf, refuseStaffConversationToSupport } from './find-conversations.ts';
import type { QueuedSupportConversationView, StaffSupportThreadView, SupportConversationView, SupportThreadView } from './schemas.ts';
import { type ConversationRow, toConversationView, toMessageView, toQueuedView, toStaffMessageView } from './view.ts';

/** A customer's conversations as they see them (subjects opened), one more than `limit`. */
export async function ownConversations(
  ctx: Ctx,
  input: { accountId: string; cursor?: string; limit: number },
): Promise<{ row: ConversationRow; view: SupportConversationView }[]> {
  const rows = await listOwnConversations(ctx.db, input);
  const key = rows.length > 0 ? await readAccountKey(ctx, input.accountId) : undefined;
  return rows.map((row) => ({ row, view: toConversationView(row, key) }));
}

/** One of the customer's conversations with its messages, staff messages signed "Support" only. */
export async function ownThread(ctx: Ctx, accountId: string, conversationId: string): Promise<SupportThreadView> {
  const conversation = await findConversation(ctx.db, conversationId, { accountId });
  const [messages, key] = await Promise.all([messagesOf(ctx.db, conversation.id), readAccountKey(ctx, accountId)]);
  return { conversation: toConversationView(conversation, key), messages: messages.map((row) => toMessageView(row, key)) };
}

/** The thread as the customer sees it, from rows already read (after a write). */
export async function threadView(ctx: Ctx, conversation: ConversationRow): Promise<SupportThreadView> {
  return ownThread(ctx, conversation.accountId, conversation.id);
}

/**
 * The staff queue of a status (see listQueue), subjects opened; one more than `limit`. A support member's
 * leaves staff accounts' conversations out (admins see every one).
 */
export async function queueViews(
  ctx: Ctx,
  input: { status: SupportStatus; cursor?: string; limit: number; readerRole: Role },
): Promise<{ row: ConversationRow; view: QueuedSupportConversationView }[]> {
  const { readerRole, ...query } = input;
  const rows = await listQueue(ctx.db, { ...query, customersOnly: readerRole !== 'admin' });
  const keys = await readAccountKeys(
    ctx,
    rows.map((row) => row.accountId),
  );
  return rows.map((row) => ({ row, view: toQueuedView(row, keys.get(row.accountId)) }));
}

/**
 * A conversation as staff read it, with every message and who wrote each: recorded in the staff
 * access log (`support.conversation`) in the same transaction, before anything is answered, so the
 * customer sees the read under "Who accessed my data".
 */
export async function staffThread(
  ctx: Ctx,
  input: { staff: { accountId: string; role: Role }; conversationId: string; reason?: string; requestId?: string },
): Promise<StaffSupportThreadView> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const conversation = await findConversation(tx, input.conversationId);
    await refuseStaffConversationToSupport(tx, input.staff.role, conversation);
    await recordStaffAccess(txCtx, {
      accountId: conversation.accountId,
      staff: input.staff,
      what: 'support.conversation',
      reason: input.reason,
      requestId: input.requestId,
    });
    const [messages, key] = await Promise.all([messagesOf(tx, conversation.id), readAccountKey(txCtx, conversation.accountId)]);
    return { conversation: toQueuedView(conversation, key), messages: messages.map((row) => toStaffMessageView(row, key)) };
  });
}
