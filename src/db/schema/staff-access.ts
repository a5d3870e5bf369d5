import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts, ROLES } from './accounts.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Every read of a customer's data by staff through the admin API, written in the request that reads,
 * before the answer leaves: the customer sees it ("Who accessed my data") and finds it in their export.
 */
export const staffAccessLog = pgTable(
  'staff_access_log',
  {
    id: text('id').primaryKey(),
    /** The customer whose data was read. */
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    staffAccountId: text('staff_account_id')
      .notNull()
      .references(() => accounts.id),
    /** The reader's role at the time of the read. */
    staffRole: text('staff_role', { enum: ROLES }).notNull(),
    /** What was read, as a short code (`account.profile`, …). */
    what: text('what').notNull(),
    /** Why, when the staff member said (`X-Access-Reason`). */
    reason: text('reason'),
    requestId: text('request_id'),
    occurredAt: ts('occurred_at').notNull(),
  },
  (t) => [index('staff_access_log_account_idx').on(t.accountId, t.id)],
);
