import type { Role } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { type Ctx, withDb } from '../context.ts';
import { recordStaffAccess } from '../privacy/index.ts';
import { appendMessage } from './append-message.ts';
import { findConversation, refuseStaffConversationToSupport } from './find-conversations.ts';
import { checkMessageLimit } from './limits.ts';
import type { ConversationRow, MessageRow } from './view.ts';

type Written = { conversation: ConversationRow; message: MessageRow };

/** The customer writes in one of their conversations (a closed one opens again). Limited per account (limits.ts). */
export async function writeAsCustomer(ctx: Ctx, input: { accountId: string; conversationId: string; body: string }): Promise<Written> {
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    const conversation = await findConversation(tx, input.conversationId, { accountId: input.accountId, lock: true });
    await checkMessageLimit(txCtx, input.accountId);
    return appendMessage(txCtx, conversation, { author: 'customer', body: input.body });
  });
}

/**
 * Staff answer: the customer sees it live and, where the account has an e-mail address, is told by
 * e-mail that an answer is waiting. Audited (`support.answered`) in the same transaction.
 */
export async function writeAsStaff(
  ctx: Ctx,
  input: { staff: { accountId: string; role: Role }; conversationId: string; body: string },
): Promise<Written> {
  return transaction(ctx.db, async (tx) => {
    const conversation = await findConversation(tx, input.conversationId, { lock: true });
    await refuseStaffConversationToSupport(tx, input.staff.role, conversation);
    const written = await appendMessage(withDb({ ...ctx, actor: input.staff.accountId }, tx), conversation, {
      author: 'staff',
      staffAccountId: input.staff.accountId,
      body: input.body,
    });
    // An action on the customer's conversation: in their "Who accessed my data", as reads are.
    await recordStaffAccess(withDb(ctx, tx), { accountId: conversation.accountId, staff: input.staff, what: 'support.answered' });
    return written;
  });
}
