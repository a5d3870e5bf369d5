import { eq } from 'drizzle-orm';
import { auditLog, type Role, supportConversations } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import { recordStaffAccess } from '../privacy/index.ts';
import { findConversation, refuseStaffConversationToSupport } from './find-conversations.ts';
import { canClose } from './states.ts';
import type { ConversationRow } from './view.ts';

/**
 * Close a conversation: by its customer (`accountId`), or by staff (`staffAccountId`, audited as
 * `support.closed`). Closing a closed conversation is a CONFLICT. Retention counts from the closing
 * (the last activity) unless someone writes again.
 */
export async function closeConversation(
  ctx: Ctx,
  input: { conversationId: string } & (
    | { accountId: string; staffAccountId?: undefined }
    | { staffAccountId: string; staffRole: Role; accountId?: undefined }
  ),
): Promise<ConversationRow> {
  return transaction(ctx.db, async (tx) => {
    const conversation = await findConversation(tx, input.conversationId, { accountId: input.accountId, lock: true });
    if (input.staffAccountId) await refuseStaffConversationToSupport(tx, input.staffRole, conversation);
    if (!canClose(conversation.status)) throw new DomainError('CONFLICT', 'This conversation is already closed.');
    const now = ctx.clock.now();
    const [closed] = await tx
      .update(supportConversations)
      .set({ status: 'closed', waitingSince: null, closedAt: now, closedBy: input.staffAccountId ?? 'customer', lastActivityAt: now })
      .where(eq(supportConversations.id, conversation.id))
      .returning();
    if (!closed) throw new Error(`support conversation ${conversation.id} vanished while it was closed`);
    if (input.staffAccountId) {
      await tx.insert(auditLog).values({
        id: newId('aud', now.getTime()),
        actor: input.staffAccountId,
        action: 'support.closed',
        accountId: conversation.accountId,
        details: { conversationId: conversation.id },
        occurredAt: now,
      });
      await recordStaffAccess(withDb(ctx, tx), {
        accountId: conversation.accountId,
        staff: { accountId: input.staffAccountId, role: input.staffRole },
        what: 'support.closed',
      });
    }
    return closed;
  });
}
