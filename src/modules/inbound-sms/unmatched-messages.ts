import { and, desc, eq, lt } from 'drizzle-orm';
import { auditLog, gatewayMessages, gateways, poolNumbers, type Role } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { newId } from '../../lib/ids.ts';
import { unseal } from '../../lib/sealed.ts';
import type { Ctx } from '../context.ts';

/** An SMS that reached one of the pool's numbers with no order or rental to take it, opened for staff. */
export interface UnmatchedMessageView {
  id: string;
  receivedAt: Date;
  gateway: string;
  /** The pool number it reached; null when the gateway named a receiver the pool does not know. */
  number: string | null;
  sender: string;
  text: string;
}

export interface UnmatchedMessagesQuery {
  /** Only this gateway (by name). */
  gateway?: string;
  /** The id of the last message of the previous page. */
  before?: string;
  limit: number;
  /** Why staff read them (optional), kept in the audit row. */
  reason?: string;
}

/**
 * The unmatched messages, newest first, their sender and text opened (sealed with purpose
 * 'gateway-messages'): third parties' texts, so every read is recorded in the staff audit log
 * (`gateway_messages.read`: who, their role, which messages, the reason if given) in the read's
 * transaction; no customer's data is in them, so nothing goes to the staff access log.
 */
export async function readUnmatchedMessages(
  ctx: Ctx,
  staff: { accountId: string; role: Role },
  query: UnmatchedMessagesQuery,
): Promise<{ items: UnmatchedMessageView[]; nextCursor: string | null }> {
  return transaction(ctx.db, async (tx) => {
    const rows = await tx
      .select({
        id: gatewayMessages.id,
        receivedAt: gatewayMessages.receivedAt,
        gateway: gateways.name,
        number: poolNumbers.number,
        senderSealed: gatewayMessages.senderSealed,
        textSealed: gatewayMessages.textSealed,
      })
      .from(gatewayMessages)
      .innerJoin(gateways, eq(gateways.id, gatewayMessages.gatewayId))
      .leftJoin(poolNumbers, eq(poolNumbers.id, gatewayMessages.numberId))
      .where(
        and(
          eq(gatewayMessages.outcome, 'unmatched'),
          query.gateway === undefined ? undefined : eq(gateways.name, query.gateway),
          query.before === undefined ? undefined : lt(gatewayMessages.id, query.before),
        ),
      )
      .orderBy(desc(gatewayMessages.id))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const items = page.map((row) => ({
      id: row.id,
      receivedAt: row.receivedAt,
      gateway: row.gateway,
      number: row.number,
      sender: row.senderSealed === null ? '' : unseal(ctx.keys, 'gateway-messages', `${row.id}:sender`, row.senderSealed),
      text: row.textSealed === null ? '' : unseal(ctx.keys, 'gateway-messages', `${row.id}:text`, row.textSealed),
    }));
    const now = ctx.clock.now();
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: staff.accountId,
      action: 'gateway_messages.read',
      details: {
        role: staff.role,
        messages: items.map((item) => item.id),
        ...(query.gateway ? { gateway: query.gateway } : {}),
        ...(query.reason ? { reason: query.reason } : {}),
      },
      occurredAt: now,
    });
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > query.limit && last ? last.id : null };
  });
}
