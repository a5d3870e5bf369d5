import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A conversation's status: `open` waits on staff (the customer wrote last), `answered` waits on the
 * customer (staff wrote last), `closed` by either side (a new message opens it again).
 */
export const SUPPORT_STATUSES = ['open', 'answered', 'closed'] as const;
export type SupportStatus = (typeof SUPPORT_STATUSES)[number];
export const SUPPORT_AUTHORS = ['customer', 'staff'] as const;
export type SupportAuthor = (typeof SUPPORT_AUTHORS)[number];

/**
 * A customer's conversation with support (P17), optionally about one of their orders. The subject is
 * sealed under the account's key (ADR 28), like every message body: erasure shreds both.
 */
export const supportConversations = pgTable(
  'support_conversations',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    /**
     * The order it is about, if any (an order of the same account). Not a foreign key: an order's
     * retention (number history) must not take the conversation with it; the id alone then leads nowhere.
     */
    orderId: text('order_id'),
    /** Sealed (`support_conversations.subject`). */
    subject: text('subject').notNull(),
    status: text('status', { enum: SUPPORT_STATUSES }).notNull(),
    createdAt: ts('created_at').notNull(),
    /** Since when the customer has waited for an answer (the first unanswered message); null unless open. */
    waitingSince: ts('waiting_since'),
    /** The last message or the closing: retention counts from here (RETENTION_SUPPORT_DAYS). */
    lastActivityAt: ts('last_activity_at').notNull(),
    closedAt: ts('closed_at'),
    /** `customer`, or the staff account id that closed it. */
    closedBy: text('closed_by'),
  },
  (t) => [
    index('support_conversations_account_idx').on(t.accountId, t.id),
    // The staff queue: the longest-waiting first, per status.
    index('support_conversations_queue_idx').on(t.status, t.waitingSince, t.id),
    index('support_conversations_activity_idx').on(t.lastActivityAt),
    check('support_conversations_waiting', sql`(${t.status} = 'open') = (${t.waitingSince} is not null)`),
    check('support_conversations_closed', sql`(${t.status} = 'closed') = (${t.closedAt} is not null)`),
  ],
);

/** One message of a conversation. The body (at most 4,000 characters) is sealed under the customer's key. */
export const supportMessages = pgTable(
  'support_messages',
  {
    id: text('id').primaryKey(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => supportConversations.id),
    author: text('author', { enum: SUPPORT_AUTHORS }).notNull(),
    /** The staff member who wrote a staff message; shown to the customer only as "Support". */
    staffAccountId: text('staff_account_id').references(() => accounts.id),
    /** Sealed (`support_messages.body`). */
    body: text('body').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    index('support_messages_conversation_idx').on(t.conversationId, t.id),
    index('support_messages_created_idx').on(t.createdAt),
    check('support_messages_staff_author', sql`(${t.author} = 'staff') = (${t.staffAccountId} is not null)`),
  ],
);
