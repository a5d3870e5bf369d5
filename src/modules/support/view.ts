import type { supportConversations, supportMessages } from '../../db/schema/index.ts';
import type { AccountKey } from '../keyring/index.ts';
import type { QueuedSupportConversationView, StaffSupportMessageView, SupportConversationView, SupportMessageView } from './schemas.ts';

export type ConversationRow = typeof supportConversations.$inferSelect;
export type MessageRow = typeof supportMessages.$inferSelect;

/** A sealed value opened with the account's key; null once the key was destroyed (erased). */
const subjectOf = (key: AccountKey | undefined, row: ConversationRow): string | null =>
  key ? key.open('support_conversations.subject', row.id, row.subject) : null;
const bodyOf = (key: AccountKey | undefined, row: MessageRow): string | null =>
  key ? key.open('support_messages.body', row.id, row.body) : null;

export function toConversationView(row: ConversationRow, key: AccountKey | undefined): SupportConversationView {
  return {
    id: row.id,
    subject: subjectOf(key, row),
    orderId: row.orderId,
    status: row.status,
    createdAt: row.createdAt,
    lastActivityAt: row.lastActivityAt,
    closedAt: row.closedAt,
  };
}

export function toMessageView(row: MessageRow, key: AccountKey | undefined): SupportMessageView {
  return { id: row.id, author: row.author, body: bodyOf(key, row), createdAt: row.createdAt };
}

export function toQueuedView(row: ConversationRow, key: AccountKey | undefined): QueuedSupportConversationView {
  return {
    id: row.id,
    accountId: row.accountId,
    subject: subjectOf(key, row),
    orderId: row.orderId,
    status: row.status,
    createdAt: row.createdAt,
    waitingSince: row.waitingSince,
    lastActivityAt: row.lastActivityAt,
  };
}

export function toStaffMessageView(row: MessageRow, key: AccountKey | undefined): StaffSupportMessageView {
  return { id: row.id, author: row.author, staffAccountId: row.staffAccountId, body: bodyOf(key, row), createdAt: row.createdAt };
}
