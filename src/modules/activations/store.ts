import { createHash } from 'node:crypto';
import { getTableColumns } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { type Executor, rawRows, rowMapper } from '../../db/client.ts';
import { activations } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';
import { type EventToEmit, emitCtes, emitParams } from '../events/emit.ts';
import type { ActivationRow } from './view.ts';

/**
 * The statements an order's life runs at every step, as constant SQL texts prepared once per
 * connection (ADR 12): the lock of the order, its insert or update together with its audit event (one
 * round trip, not two). The column list, SQL types and value mapping come from the Drizzle schema,
 * so the schema stays the one description of the table.
 */

type Key = keyof ActivationRow;
const COLUMNS = Object.entries(getTableColumns(activations)) as [Key, PgColumn][];
const byKey = new Map(COLUMNS);
const SELECT_LIST = COLUMNS.map(([, column]) => `"${column.name}"`).join(', ');
const fromDriver = rowMapper(activations);

function columnOf(key: Key): PgColumn {
  const column = byKey.get(key);
  if (!column) throw new Error(`activations has no column ${String(key)}`);
  return column;
}

const toDriver = (key: Key, value: unknown): unknown =>
  value === null || value === undefined ? null : columnOf(key).mapToDriverValue(value);

/** The columns a change writes, in a fixed order (the statement text depends on the set, not on its order). */
const changedKeys = (set: Partial<ActivationRow>): Key[] =>
  (Object.keys(set) as Key[]).filter((key) => key !== 'id' && set[key] !== undefined).sort();

/** `col = $n::type, …` for the changed columns, their parameters numbered from $2 ($1 is the order's id). */
const assignments = (keys: Key[]) => keys.map((key, i) => `"${columnOf(key).name}" = $${i + 2}::${columnOf(key).getSQLType()}`).join(', ');

/** The statement of a set of changed columns, built once and named after that set. */
function statementFor(
  cache: Map<string, { name: string; text: string }>,
  prefix: string,
  keys: Key[],
  build: () => string,
): { name: string; text: string } {
  const signature = keys.join(',');
  let statement = cache.get(signature);
  if (!statement) {
    statement = { name: `${prefix}_${createHash('sha256').update(signature).digest('hex').slice(0, 16)}`, text: build() };
    cache.set(signature, statement);
  }
  return statement;
}

export interface TransitionEvent {
  type: string;
  fromStatus: string | null;
  toStatus: string | null;
  actor: string;
  details: Record<string, unknown> | null;
}

/**
 * The audit event's insert (one row, or none when `from` finds none); `activation` is the SQL for its
 * order's id, `first` its first parameter number. It answers one row per event written.
 */
const EVENT_INSERT = (activation: string, first: number, from: string) =>
  `insert into activation_events (id, activation_id, type, from_status, to_status, actor, details, occurred_at)
   select $${first}::text, ${activation}, $${first + 1}::text, $${first + 2}::text, $${first + 3}::text, $${first + 4}::text,
          $${first + 5}::jsonb, $${first + 6}::timestamptz ${from}
   returning 1`;

function eventValues(event: TransitionEvent, now: Date): unknown[] {
  return [
    newId('aev', now.getTime()),
    event.type,
    event.fromStatus,
    event.toStatus,
    event.actor,
    event.details === null ? null : JSON.stringify(event.details),
    now.toISOString(),
  ];
}

const LOCK_SQL = `select ${SELECT_LIST} from activations where id = $1 for update`;

/** The order, locked until the caller's transaction ends. */
export async function lockActivationRow(db: Executor, id: string): Promise<ActivationRow | undefined> {
  const [row] = await rawRows<Record<string, unknown>>(db, 'otpbox_activation_lock_v1', LOCK_SQL, [id]);
  return row ? fromDriver(row) : undefined;
}

/**
 * What the order limits need, each read by an index range that stops where the limit is reached: the
 * open orders (up to MAX_ACTIVE_ACTIVATIONS), the orders of the last minute (up to ORDER_RATE_LIMIT)
 * and the oldest of them, and how the account's most recent orders of the last hour ended (the last
 * `cancelWindow`). An account with a long history pays no more than a new one. Parameters from
 * `first`: the account, a minute ago, an hour ago, and the three bounds.
 */
const LIMITS_SELECT = (first: number) => {
  const p = (n: number) => `$${first + n - 1}`;
  return `select
    (select count(*) from (select 1 from activations
       where account_id = ${p(1)}::text and status in ('requesting', 'waiting', 'received') limit ${p(4)}::int) o)::int as open,
    (select count(*) from (select 1 from activations
       where account_id = ${p(1)}::text and created_at > ${p(2)}::timestamptz limit ${p(5)}::int) m)::int as last_minute,
    (select min(created_at) from activations where account_id = ${p(1)}::text and created_at > ${p(2)}::timestamptz) as oldest,
    count(*) filter (where r.status = 'cancelled')::int as cancelled,
    count(*) filter (where r.status in ('cancelled', 'completed', 'expired'))::int as ended
  from (select status from activations
        where account_id = ${p(1)}::text and created_at > ${p(3)}::timestamptz
        order by created_at desc limit ${p(6)}::int) r`;
};

export interface LimitCounts {
  open: number;
  lastMinute: number;
  oldest: Date | null;
  cancelled: number;
  ended: number;
}

const INSERT_SQL = `with
  limits as (${LIMITS_SELECT(COLUMNS.length + 8)}),
  inserted as (
    insert into activations (${SELECT_LIST})
    values (${COLUMNS.map(([, column], i) => `$${i + 1}::${column.getSQLType()}`).join(', ')})
    returning id
  ),
  audit as (${EVENT_INSERT('(select id from inserted)', COLUMNS.length + 1, '')})
  select limits.* from limits`;

/**
 * A new order and its first audit event, in one statement, which also reads the account's order
 * limits as they stood before this order (the caller refuses and rolls back over a limit).
 */
export async function insertActivationRow(
  db: Executor,
  row: ActivationRow,
  event: TransitionEvent,
  now: Date,
  bounds: { maxOpen: number; maxPerMinute: number; cancelWindow: number },
): Promise<LimitCounts> {
  const [counts] = await rawRows<{ open: number; last_minute: number; oldest: Date | string | null; cancelled: number; ended: number }>(
    db,
    'otpbox_activation_insert_v3',
    INSERT_SQL,
    [
      ...COLUMNS.map(([key]) => toDriver(key, row[key])),
      ...eventValues(event, now),
      row.accountId,
      new Date(now.getTime() - 60_000).toISOString(),
      new Date(now.getTime() - 3_600_000).toISOString(),
      bounds.maxOpen,
      bounds.maxPerMinute,
      bounds.cancelWindow,
    ],
  );
  return {
    open: Number(counts?.open ?? 0),
    lastMinute: Number(counts?.last_minute ?? 0),
    oldest: counts?.oldest ? new Date(counts.oldest) : null,
    cancelled: Number(counts?.cancelled ?? 0),
    ended: Number(counts?.ended ?? 0),
  };
}

/** One text per set of changed columns (a handful exist). */
const updateStatements = new Map<string, { name: string; text: string }>();

/**
 * Write the changed columns of a locked order and its audit event, in one statement. With no column
 * changed, only the event is written. (The caller holds the row's lock; an update that found no row
 * fails loudly: an event without its order is refused.)
 */
export async function updateActivationRow(
  db: Executor,
  id: string,
  set: Partial<ActivationRow>,
  event: TransitionEvent,
  now: Date,
): Promise<void> {
  const keys = changedKeys(set);
  const statement = statementFor(updateStatements, 'otpbox_activation_update', keys, () =>
    keys.length
      ? `with updated as (update activations set ${assignments(keys)} where id = $1 returning id)
         ${EVENT_INSERT('(select id from updated)', keys.length + 2, '')}`
      : EVENT_INSERT('$1::text', 2, ''),
  );
  await rawRows(db, statement.name, statement.text, [id, ...keys.map((key) => toDriver(key, set[key])), ...eventValues(event, now)]);
}

const emittingStatements = new Map<string, { name: string; text: string }>();

/**
 * An order's transition, only if it is still in `onlyFrom`, and the events it announces — one
 * statement, atomic on its own: the update, its audit event, and (only if the update happened) the
 * account events with their NOTIFY and webhook deliveries. For the hottest transition (a number
 * assigned to a new order), which then needs no transaction of its own: one round trip, not four.
 */
export async function updateActivationRowAndEmit(
  db: Executor,
  id: string,
  set: Partial<ActivationRow>,
  event: TransitionEvent,
  now: Date,
  onlyFrom: ActivationRow['status'],
  emit: { accountId: string; events: EventToEmit[] },
): Promise<boolean> {
  const keys = changedKeys(set);
  if (keys.length === 0) throw new Error('a conditional transition must change the order');
  const auditFirst = keys.length + 3;
  const statement = statementFor(
    emittingStatements,
    'otpbox_activation_emit',
    keys,
    () => `with
      updated as (update activations set ${assignments(keys)} where id = $1 and status = $${keys.length + 2}::text returning id),
      audit as (${EVENT_INSERT('updated.id', auditFirst, 'from updated')}),
      ${emitCtes(auditFirst + 7, 'exists (select 1 from updated)').trimStart()}
      select (select count(*) from audit) as written, (select array_agg(id order by id) from announced) as ids`,
  );
  const [row] = await rawRows<{ written: string | number }>(db, statement.name, statement.text, [
    id,
    ...keys.map((key) => toDriver(key, set[key])),
    onlyFrom,
    ...eventValues(event, now),
    ...emitParams(emit.accountId, emit.events, now),
  ]);
  return Number(row?.written) === 1;
}
