import { and, asc, desc, eq, gte, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import {
  activationEvents,
  activationSms,
  activations,
  ledgerTransfers,
  orderNumbers,
  providerCalls,
  providerTasks,
  webhookDeliveries,
  webhookEndpoints,
} from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import { idFloor } from '../../lib/ids.ts';
import { type EphemeralTexts, maskPhone, openOrder } from '../activations/index.ts';
import type { Ctx } from '../context.ts';
import { normalisePhone, phoneLookupHash, readAccountKeys } from '../keyring/index.ts';
import type { StaffOrderLifeView, StaffOrderListItemView } from './schemas.ts';

/** The most orders one page of the console's list shows. */
export const MAX_ORDER_PAGE = 100;

/** What a search term was taken for. */
export type OrderSearchedBy = 'order_id' | 'order_number' | 'number' | 'order_number_or_number';

export interface OrderQuery {
  /** An order id, a compat order number, or a rented number in any usual spelling. */
  q?: string;
  status?: string;
  service?: string;
  country?: string;
  provider?: string;
  account?: string;
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** The last order id of the previous page. */
  cursor?: string;
  limit: number;
}

const ORDER_ID = /^act_[0-9a-z]{26}$/;

/**
 * What a search term is, by its shape. Digits alone may be a compat order number (ADR 29) or a number
 * typed without its `+`: both are looked up. A number is matched by its keyed hash (ADR 32), whatever
 * the spelling (`+44 7700 900123`, `447700900123`, `(447) 700-900 123`), never by opening orders.
 */
export function orderSearchKind(term: string): OrderSearchedBy | undefined {
  if (ORDER_ID.test(term)) return 'order_id';
  if (/^\d{1,15}$/.test(term)) return normalisePhone(term).length >= 6 ? 'order_number_or_number' : 'order_number';
  if (/^\+?[\d\s().-]{6,24}$/.test(term) && normalisePhone(term).length >= 6) return 'number';
  return undefined;
}

/** The condition a search term puts on orders, or `false` when it can match none. */
async function termCondition(ctx: Ctx, term: string, by: OrderSearchedBy | undefined): Promise<SQL | false> {
  if (by === undefined) return false;
  if (by === 'order_id') return eq(activations.id, term);
  const conditions: SQL[] = [];
  if (by === 'order_number' || by === 'order_number_or_number') {
    const number = Number(term);
    if (Number.isSafeInteger(number)) {
      const [row] = await ctx.db
        .select({ activationId: orderNumbers.activationId })
        .from(orderNumbers)
        .where(eq(orderNumbers.number, number));
      if (row) conditions.push(eq(activations.id, row.activationId));
    }
  }
  if (by === 'number' || by === 'order_number_or_number') conditions.push(eq(activations.phoneHash, phoneLookupHash(ctx.keys, term)));
  if (conditions.length === 0) return false;
  return conditions.length === 1 ? (conditions[0] as SQL) : (or(...conditions) as SQL);
}

/**
 * Orders for the console, newest first, one page (keyset on the id, which sorts by creation time; the
 * caller asks for `limit + 1` to know whether another page exists). Filters combine; the date range is
 * a range of ids (ULIDs), so it reads the primary key, or the account's (account_id, id) index.
 * Orders still being bought are shown (staff look for stuck ones too). Numbers come masked.
 */
export async function searchOrders(
  ctx: Ctx,
  query: OrderQuery,
): Promise<{ by: OrderSearchedBy | undefined; rows: StaffOrderListItemView[] }> {
  const term = query.q?.trim();
  const by = term ? orderSearchKind(term) : undefined;
  const conditions: SQL[] = [];
  if (term) {
    const condition = await termCondition(ctx, term, by);
    if (condition === false) return { by, rows: [] };
    conditions.push(condition);
  }
  if (query.status) conditions.push(eq(activations.status, query.status as (typeof activations.status.enumValues)[number]));
  if (query.service) conditions.push(eq(activations.service, query.service));
  if (query.country) conditions.push(eq(activations.country, query.country));
  if (query.provider) conditions.push(eq(activations.provider, query.provider));
  if (query.account) conditions.push(eq(activations.accountId, query.account));
  if (query.from) conditions.push(gte(activations.id, idFloor('act', query.from.getTime())));
  if (query.to) conditions.push(lt(activations.id, idFloor('act', query.to.getTime())));
  if (query.cursor) conditions.push(lt(activations.id, query.cursor));
  const rows = await ctx.db
    .select({
      id: activations.id,
      accountId: activations.accountId,
      service: activations.service,
      country: activations.country,
      provider: activations.provider,
      phone: activations.phone,
      status: activations.status,
      price: activations.price,
      failureReason: activations.failureReason,
      sandbox: activations.sandbox,
      createdAt: activations.createdAt,
      endedAt: activations.endedAt,
    })
    .from(activations)
    .where(and(...conditions))
    .orderBy(desc(activations.id))
    .limit(Math.min(query.limit, MAX_ORDER_PAGE) + 1);
  const keys = await readAccountKeys(
    ctx,
    rows.filter((row) => row.phone !== null).map((row) => row.accountId),
  );
  return {
    by,
    rows: rows.map((row) => {
      const key = keys.get(row.accountId);
      const phone = row.phone !== null && key ? key.open('activations.phone', row.id, row.phone) : null;
      return { ...row, phone: phone === null ? null : maskPhone(phone) };
    }),
  };
}

/** The ledger's transfers of an order: its hold, and the capture or release that resolved it (by their idempotency keys). */
const LEDGER_KEYS = (id: string) => [`${id}:hold`, `${id}:capture`, `${id}:release`];

/**
 * One order's whole life: the order with its number opened, its messages (texts as the customer sees
 * them: in ephemeral storage, only while this process holds them), its transitions, its ledger lines,
 * the webhook deliveries of its events, and what we still had to tell its provider. NOT_FOUND for an
 * unknown id. The caller logs the staff read before it answers.
 */
export async function orderLife(ctx: Ctx, id: string, ephemeral: EphemeralTexts): Promise<StaffOrderLifeView> {
  const [row] = await ctx.db.select().from(activations).where(eq(activations.id, id));
  if (!row) throw new DomainError('NOT_FOUND', 'No such order.');
  const [smsRows, events, ledger, tasks, number, webhooks, calls] = await Promise.all([
    ctx.db
      .select()
      .from(activationSms)
      .where(eq(activationSms.activationId, id))
      .orderBy(asc(activationSms.receivedAt), asc(activationSms.id)),
    ctx.db.select().from(activationEvents).where(eq(activationEvents.activationId, id)).orderBy(asc(activationEvents.id)),
    ctx.db
      .select()
      .from(ledgerTransfers)
      .where(inArray(ledgerTransfers.idempotencyKey, LEDGER_KEYS(id)))
      .orderBy(asc(ledgerTransfers.createdAt), asc(ledgerTransfers.id)),
    ctx.db.select().from(providerTasks).where(eq(providerTasks.activationId, id)).orderBy(asc(providerTasks.createdAt)),
    ctx.db.select({ number: orderNumbers.number }).from(orderNumbers).where(eq(orderNumbers.activationId, id)),
    // The deliveries of the account's events about this order (their payloads name it), from its
    // creation on: read from the deliveries themselves, which outlive the events (a day) by far.
    ctx.db
      .select({
        id: webhookDeliveries.id,
        endpointId: webhookDeliveries.endpointId,
        type: webhookDeliveries.type,
        status: webhookDeliveries.status,
        attempts: webhookDeliveries.attempts,
        lastResponseStatus: webhookDeliveries.lastResponseStatus,
        lastError: webhookDeliveries.lastError,
        lastAttemptAt: webhookDeliveries.lastAttemptAt,
        deliveredAt: webhookDeliveries.deliveredAt,
      })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(
        and(
          eq(webhookEndpoints.accountId, row.accountId),
          gte(webhookDeliveries.createdAt, row.createdAt),
          sql`${webhookDeliveries.payload}->'data'->>'activationId' = ${id}`,
        ),
      )
      .orderBy(asc(webhookDeliveries.id)),
    ctx.db.select().from(providerCalls).where(eq(providerCalls.activationId, id)).orderBy(asc(providerCalls.id)),
  ]);
  const opened = await openOrder(ctx, row, smsRows);
  const nowMs = ctx.clock.now().getTime();
  return {
    order: {
      id: row.id,
      orderNumber: number[0]?.number ?? null,
      accountId: row.accountId,
      service: row.service,
      country: row.country,
      provider: row.provider,
      upstreamId: row.upstreamId,
      phone: opened.row.phone,
      status: row.status,
      price: row.price,
      providerCost: row.providerCost,
      providerCurrency: row.providerCurrency,
      failureReason: row.failureReason,
      sandbox: row.sandbox,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      receivedAt: row.receivedAt,
      endedAt: row.endedAt,
    },
    sms: opened.sms.map((m) => ({
      id: m.id,
      code: m.code,
      text: m.text ?? ephemeral.text(row.id, m.id, nowMs) ?? null,
      late: m.late,
      source: m.source,
      receivedAt: m.receivedAt,
    })),
    events: events.map((event) => ({
      id: event.id,
      type: event.type,
      fromStatus: event.fromStatus,
      toStatus: event.toStatus,
      actor: event.actor,
      details: event.details ?? null,
      at: event.occurredAt,
    })),
    ledger: ledger.map((transfer) => ({
      id: transfer.id,
      kind: transfer.kind,
      phase: transfer.phase,
      amount: transfer.amount,
      reason: transfer.reason,
      at: transfer.createdAt,
    })),
    webhooks,
    providerTasks: tasks.map((task) => ({
      id: task.id,
      action: task.action,
      status: task.status,
      attempts: task.attempts,
      lastError: task.lastError,
      createdAt: task.createdAt,
      doneAt: task.doneAt,
    })),
    providerCalls: calls.map((call) => ({
      id: call.id,
      provider: call.provider,
      action: call.action,
      outcome: call.outcome,
      durationMs: call.durationMs,
      answer: call.answer,
      at: call.createdAt,
    })),
  };
}
