import { and, asc, desc, eq, gt, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { accounts, type Role, type SupportStatus, supportConversations, supportMessages } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import { refuseStaffAccountToSupport } from '../privacy/index.ts';
import type { ConversationRow, MessageRow } from './view.ts';

const notFound = () => new DomainError('NOT_FOUND', 'No such support conversation.');

/** A customer's conversations, newest first (ids sort by creation), one more than `limit` (see http/paging.ts). */
export async function listOwnConversations(
  db: Executor,
  input: { accountId: string; cursor?: string; limit: number },
): Promise<ConversationRow[]> {
  const mine = eq(supportConversations.accountId, input.accountId);
  return db
    .select()
    .from(supportConversations)
    .where(input.cursor ? and(mine, lt(supportConversations.id, input.cursor)) : mine)
    .orderBy(desc(supportConversations.id))
    .limit(input.limit + 1);
}

/**
 * One conversation, by id; with `accountId`, only the customer's own (another account's is not found,
 * never forbidden: no existence leak). `lock` takes its row for an update in the caller's transaction.
 */
export async function findConversation(
  db: Executor,
  id: string,
  options: { accountId?: string; lock?: boolean } = {},
): Promise<ConversationRow> {
  const where = options.accountId
    ? and(eq(supportConversations.id, id), eq(supportConversations.accountId, options.accountId))
    : eq(supportConversations.id, id);
  const query = db.select().from(supportConversations).where(where);
  const [row] = options.lock ? await query.for('update') : await query;
  if (!row) throw notFound();
  return row;
}

/** The messages of a conversation, oldest first. */
export async function messagesOf(db: Executor, conversationId: string): Promise<MessageRow[]> {
  return db.select().from(supportMessages).where(eq(supportMessages.conversationId, conversationId)).orderBy(asc(supportMessages.id));
}

/**
 * The staff queue of one status: open conversations the longest-waiting first; answered and closed
 * ones the most recently active first. Paged by a cursor `<milliseconds>.<id>` of the last row shown.
 */
export async function listQueue(
  db: Executor,
  input: { status: SupportStatus; cursor?: string; limit: number; customersOnly?: boolean },
): Promise<ConversationRow[]> {
  const waiting = input.status === 'open';
  const time = waiting ? supportConversations.waitingSince : supportConversations.lastActivityAt;
  const after = input.cursor ? parseQueueCursor(input.cursor) : undefined;
  let from: SQL | undefined;
  if (after) {
    from = waiting
      ? or(gt(time, after.at), and(eq(time, after.at), gt(supportConversations.id, after.id)))
      : or(lt(time, after.at), and(eq(time, after.at), lt(supportConversations.id, after.id)));
  }
  return db
    .select()
    .from(supportConversations)
    .where(and(eq(supportConversations.status, input.status), from, input.customersOnly ? ofACustomer : undefined))
    .orderBy(waiting ? asc(time) : desc(time), waiting ? asc(supportConversations.id) : desc(supportConversations.id))
    .limit(input.limit + 1);
}

/** The cursor after a row of the queue of `status`. */
export const queueCursor = (row: ConversationRow, status: SupportStatus): string =>
  `${((status === 'open' ? row.waitingSince : null) ?? row.lastActivityAt).getTime()}.${row.id}`;

function parseQueueCursor(cursor: string): { at: Date; id: string } {
  const match = /^(\d{1,15})\.(spc_[0-9a-z]{26})$/.exec(cursor);
  if (!match) throw new DomainError('VALIDATION_FAILED', 'cursor: not a cursor this list gave out.');
  return { at: new Date(Number(match[1])), id: match[2] as string };
}

/** The conversation is a customer's (not a staff member's). */
const ofACustomer = sql`exists (select 1 from ${accounts} where ${accounts.id} = ${supportConversations.accountId} and ${accounts.role} = 'customer')`;

/**
 * Support staff act on customers only (as in the console's account actions): a staff member's own
 * conversation is for admins. Refuses a support member's read or answer of one (FORBIDDEN).
 */
export const refuseStaffConversationToSupport = (db: Executor, staffRole: Role, conversation: ConversationRow): Promise<void> =>
  refuseStaffAccountToSupport(db, staffRole, conversation.accountId, "Only an admin can read a staff account's support conversation.");
