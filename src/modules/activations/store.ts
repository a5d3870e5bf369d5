import { createHash } from 'node:crypto';
import { getTableColumns } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { type Executor, rawRows, rowMapper } from '../../db/client.ts';
import { activations, type Purse } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';
import { type EventToEmit, emitCtes, emitParams } from '../events/index.ts';
import { HOLD_REFUSED, type HoldParams, holdCtes, runTransferStatement } from '../ledger/index.ts';
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
 * order's id, `first` its first parameter number, `moreDetails` SQL of a jsonb object merged into its
 * details (what only the statement knows). It answers one row per event written.
 */
const EVENT_INSERT = (activation: string, first: number, from: string, moreDetails?: string) =>
  `insert into activation_events (id, activation_id, type, from_status, to_status, actor, details, occurred_at)
   select $${first}::text, ${activation}, $${first + 1}::text, $${first + 2}::text, $${first + 3}::text, $${first + 4}::text,
          ${moreDetails ? `coalesce($${first + 5}::jsonb, '{}'::jsonb) || ${moreDetails}` : `$${first + 5}::jsonb`}, $${first + 6}::timestamptz ${from}
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

export interface LimitCounts {
  open: number;
  lastMinute: number;
  oldest: Date | null;
  cancelled: number;
  ended: number;
}

/** Which order limit refused an order (decided by the placement statement). */
export type LimitRefusal = 'too_many_active' | 'order_rate' | 'cancel_ratio';

export interface PlacementLimits {
  maxOpen: number;
  /** 0: no limit. */
  maxPerMinute: number;
  /** The cancel-ratio throttle looks at this many of the account's most recent orders of the last hour. */
  cancelWindow: number;
  cancelMinOrders: number;
  cancelPercent: number;
}

export interface PlacementHold {
  systemAccountId: string;
  transferId: string;
  idempotencyKey: string;
  /** The price: the least that is held. */
  price: number;
  /** Held instead when the customer can afford it (failover to a dearer provider). */
  dearest: number;
  reason: string;
  metadata: Record<string, unknown>;
  actor: string | null;
  holdExpiresAt: Date;
  /**
   * The sandbox could fill this order: the customer's demo credits pay for it when they can (the
   * order is then a sandbox order at the sandbox's price, held in `demo_revenue`).
   */
  demo?: { systemAccountId: string; price: number; provider: string };
}

/** The order's `Idempotency-Key`, claimed by the statement that places the order (and only then). */
export interface PlacementClaim {
  key: string;
  requestHash: string;
}

export type Placement =
  | { outcome: 'placed'; held: number; purse: Purse }
  /** The customer has no credits wallet yet: nothing was written (create it and place again). */
  | { outcome: 'no_wallet' }
  | { outcome: 'insufficient'; available: number }
  | { outcome: 'restricted' }
  | { outcome: 'limit'; refusal: LimitRefusal; counts: LimitCounts }
  /** A concurrent change left too little between the lock and the balance update: nothing was written. */
  | { outcome: 'refused' }
  /** The idempotency key was claimed before (by an order placed earlier, or at this moment): nothing was written. */
  | { outcome: 'key_taken' };

/** The placement statement's parameters, numbered in this order (then the audit event's, then the order's columns). */
const PLACE_PARAMS = [
  'account',
  'system',
  'transferId',
  'holdKey',
  'reason',
  'metadata',
  'actor',
  'now',
  'deadline',
  'price',
  'dearest',
  'minuteAgo',
  'hourAgo',
  'maxOpen',
  'maxPerMinute',
  'cancelWindow',
  'cancelMinOrders',
  'cancelPercent',
  'demoEligible',
  'demoSystem',
  'demoPrice',
  'demoProvider',
  'claimKey',
  'claimHash',
] as const;
const P = Object.fromEntries(PLACE_PARAMS.map((name, i) => [name, `$${i + 1}`])) as Record<(typeof PLACE_PARAMS)[number], string>;
const EVENT_FIRST = PLACE_PARAMS.length + 1;
const ROW_FIRST = EVENT_FIRST + 7;

const HOLD_PARAMS: HoldParams = {
  owner: `${P.account}::text`,
  system: `${P.system}::text`,
  id: `${P.transferId}::text`,
  key: `${P.holdKey}::text`,
  reason: `${P.reason}::text`,
  metadata: `${P.metadata}::jsonb`,
  actor: `${P.actor}::text`,
  now: `${P.now}::timestamptz`,
  deadline: `${P.deadline}::timestamptz`,
};

/** A demo-paid order is the sandbox's: its price, provider and flag are the sandbox's. */
const DEMO_COLUMNS: Partial<Record<Key, string>> = {
  price: `${P.demoPrice}::bigint`,
  provider: `${P.demoProvider}::text`,
  sandbox: 'true',
};
const placedValue = (key: Key, column: PgColumn, i: number) => {
  const value = `$${ROW_FIRST + i}::${column.getSQLType()}`;
  const demo = DEMO_COLUMNS[key];
  return demo ? `case when (select purse from wallet) = 'demo' then ${demo} else ${value} end` : value;
};

/**
 * An order placed in one statement (ADR 12, "one statement per order"): the customer's credits wallet
 * locked (and, when the sandbox could fill the order, its demo wallet), the limits read after the lock
 * by `otpbox_order_limits` (migration 0009: a VOLATILE function, so its fresh snapshot sees every order
 * committed before the lock was granted — orders of one account are decided one at a time; migration
 * 0010: open orders from the count a trigger keeps), and only when every limit allows it and a wallet
 * can pay: the order's idempotency key claimed (when it has one; a key claimed before stops
 * everything), the hold (demo credits first when they can pay; else the dearest fallback's price when
 * affordable, else the price), the order (`requesting`, carrying its hold) and its first audit event
 * (the amount held added to its details). Otherwise nothing is written and the answer says why.
 */
const PLACE_SQL = `with${holdCtes(HOLD_PARAMS, {
  demo: { eligible: `${P.demoEligible}::boolean`, system: `${P.demoSystem}::text`, price: `${P.demoPrice}::bigint` },
  decide: `decision as (
    select case when w.purse = 'demo' then ${P.demoPrice}::bigint
                when w.posted + w.pending >= ${P.dearest}::bigint then ${P.dearest}::bigint else ${P.price}::bigint end as amount,
           l.open, l.last_minute, l.oldest, l.cancelled, l.ended,
           case when l.open >= ${P.maxOpen}::int then 'too_many_active'
                when ${P.maxPerMinute}::int > 0 and l.last_minute >= ${P.maxPerMinute}::int then 'order_rate'
                when l.cancelled >= ${P.cancelMinOrders}::int and l.cancelled * 100 >= l.ended * ${P.cancelPercent}::int then 'cancel_ratio'
           end as refusal
    from wallet w, credits c,
         lateral otpbox_order_limits(${P.account}::text, c.id, ${P.minuteAgo}::timestamptz, ${P.hourAgo}::timestamptz,
                                     ${P.maxPerMinute}::int, ${P.cancelWindow}::int) l
  ),
  claim as (
    insert into idempotency_keys (account_id, key, request_hash, activation_id, status, created_at)
    select ${P.account}::text, ${P.claimKey}::text, ${P.claimHash}::text, $${ROW_FIRST + COLUMNS.findIndex(([key]) => key === 'id')}::text,
           'in_flight', ${P.now}::timestamptz
    from wallet w, decision d
    where ${P.claimKey}::text is not null and d.refusal is null and w.posted + w.pending >= d.amount and w.restricted_at is null
      and exists (select 1 from credits) and exists (select 1 from counterpart)
    on conflict do nothing
    returning 1
  )`,
  amount: 'd.amount',
  from: 'decision d',
  gate: `d.refusal is null and (${P.claimKey}::text is null or exists (select 1 from claim))`,
})},
  placed as (
    insert into activations (${SELECT_LIST})
    select ${COLUMNS.map(([key, column], i) => placedValue(key, column, i)).join(', ')} from ins
    returning id
  ),
  audit as (${EVENT_INSERT('placed.id', EVENT_FIRST, 'from placed', "jsonb_build_object('held', (select amount from ins))")})
  select c.id as wallet_id, w.purse, w.posted + w.pending as available, w.restricted_at is not null as restricted,
         d.amount, d.refusal, d.open, d.last_minute, d.oldest, d.cancelled, d.ended,
         (select count(*) from locked) as locked, (select count(*) from counterpart) as counterpart,
         (select count(*) from placed) as placed, (select count(*) from audit) as audited,
         ${HOLD_REFUSED}
  from (select 1) one left join credits c on true left join wallet w on true left join decision d on true`;

interface PlacementRow {
  wallet_id: string | null;
  purse: Purse | null;
  available: string | number | null;
  restricted: boolean | null;
  amount: string | number | null;
  refusal: LimitRefusal | null;
  open: number | null;
  last_minute: number | null;
  oldest: Date | string | null;
  cancelled: number | null;
  ended: number | null;
  locked: string | number;
  counterpart: string | number;
  placed: string | number;
  audited: string | number;
}

/**
 * Place a new order (`row`, status `requesting`, its `holdId` the hold's transfer id) with its first
 * audit event, and claim its idempotency key: see PLACE_SQL.
 */
export async function placeActivationRow(
  db: Executor,
  row: ActivationRow,
  event: TransitionEvent,
  hold: PlacementHold,
  limits: PlacementLimits,
  now: Date,
  claim?: PlacementClaim,
): Promise<Placement> {
  if (row.holdId !== hold.transferId) throw new Error('an order carries the id of its own hold');
  const values: Record<(typeof PLACE_PARAMS)[number], unknown> = {
    account: row.accountId,
    system: hold.systemAccountId,
    transferId: hold.transferId,
    holdKey: hold.idempotencyKey,
    reason: hold.reason,
    metadata: JSON.stringify(hold.metadata),
    actor: hold.actor,
    now: now.toISOString(),
    deadline: hold.holdExpiresAt.toISOString(),
    price: hold.price,
    dearest: hold.dearest,
    minuteAgo: new Date(now.getTime() - 60_000).toISOString(),
    hourAgo: new Date(now.getTime() - 3_600_000).toISOString(),
    maxOpen: limits.maxOpen,
    maxPerMinute: limits.maxPerMinute,
    cancelWindow: limits.cancelWindow,
    cancelMinOrders: limits.cancelMinOrders,
    cancelPercent: limits.cancelPercent,
    demoEligible: hold.demo !== undefined,
    demoSystem: hold.demo?.systemAccountId ?? null,
    demoPrice: hold.demo?.price ?? null,
    demoProvider: hold.demo?.provider ?? null,
    claimKey: claim?.key ?? null,
    claimHash: claim?.requestHash ?? null,
  };
  const result = await runTransferStatement(async () => {
    const [answer] = await rawRows<PlacementRow>(db, 'otpbox_activation_place_v4', PLACE_SQL, [
      ...PLACE_PARAMS.map((name) => values[name]),
      ...eventValues(event, now),
      ...COLUMNS.map(([key]) => toDriver(key, row[key])),
    ]);
    return answer;
  });
  if (result === 'refused') return { outcome: 'refused' };
  if (!result?.wallet_id) return { outcome: 'no_wallet' };
  if (Number(result.placed) === 1 && Number(result.audited) === 1) {
    return { outcome: 'placed', held: Number(result.amount), purse: result.purse ?? 'credits' };
  }
  if (Number(result.counterpart) !== 1) throw new Error(`the system account ${hold.systemAccountId} does not exist`);
  if (result.restricted) return { outcome: 'restricted' };
  if (Number(result.available) < Number(result.amount ?? hold.price))
    return { outcome: 'insufficient', available: Number(result.available) };
  if (result.refusal) {
    return {
      outcome: 'limit',
      refusal: result.refusal,
      counts: {
        open: Number(result.open),
        lastMinute: Number(result.last_minute),
        oldest: result.oldest ? new Date(result.oldest) : null,
        cancelled: Number(result.cancelled),
        ended: Number(result.ended),
      },
    };
  }
  // Everything allowed it: only a key claimed before leaves nothing written (the hold's key is new with the order's id).
  if (claim) return { outcome: 'key_taken' };
  throw new Error(`order ${row.id} was neither placed nor refused`);
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
