import { createHash } from 'node:crypto';
import { getTableColumns } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { type Executor, rowMapper } from '../../db/client.ts';
import { type DriverRow, runStatement } from '../../db/raw-driver.ts';
import { activations, type Purse } from '../../db/schema/index.ts';
import { type Fragment, join, type Param, param, params, raw, type Statement, sql, statement, type Values } from '../../db/statement.ts';
import { newId } from '../../lib/ids.ts';
import { type EventToEmit, emitCtes, emitValues } from '../events/index.ts';
import {
  HOLD_REFUSED,
  holdCtes,
  holdParams,
  RESOLVE_CTES,
  RESOLVE_RESULT,
  RESOLVED_ACCOUNTS,
  type ResolveParam,
  runTransferStatement,
} from '../ledger/index.ts';
import type { ProviderCall } from './provider-calls.ts';
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

/** The parameter of a column's value, of the column's SQL type, named `<prefix>.<key>` (`row.price`, `set.status`). */
const columnParam = <P extends string>(prefix: P, key: Key): Param<`${P}.${Key}`> =>
  param(`${prefix}.${key}` as `${P}.${Key}`, columnOf(key).getSQLType());

/** The columns a change writes, in a fixed order (the statement text depends on the set, not on its order). */
const changedKeys = (set: Partial<ActivationRow>): Key[] =>
  (Object.keys(set) as Key[]).filter((key) => key !== 'id' && set[key] !== undefined).sort();

/** `col = $n::type, …` for the changed columns, each value a `set.<key>` parameter. */
const assignments = (keys: Key[]) =>
  join(
    keys.map((key) => sql`${raw(`"${columnOf(key).name}"`)} = ${columnParam('set', key)}`),
    ', ',
  );

/** The values of the changed columns' parameters. */
function setValues(keys: Key[], set: Partial<ActivationRow>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const key of keys) values[`set.${key}`] = toDriver(key, set[key]);
  return values;
}

/** The statement of a set of changed columns, built once and named after that set. */
function statementFor(cache: Map<string, Statement>, prefix: string, keys: Key[], build: () => Fragment): Statement {
  const signature = keys.join(',');
  let built = cache.get(signature);
  if (!built) {
    built = statement(`${prefix}_${createHash('sha256').update(signature).digest('hex').slice(0, 16)}`, build());
    cache.set(signature, built);
  }
  return built;
}

/** The order a statement works on. */
const idParam = param('id', 'text');
/** The time of the change: shared by the audit event, the hold and the account events (one parameter). */
const nowParam = param('now', 'timestamptz');

export interface TransitionEvent {
  type: string;
  fromStatus: string | null;
  toStatus: string | null;
  actor: string;
  details: Record<string, unknown> | null;
}

const eventParams = params({ id: 'text', type: 'text', from: 'text', to: 'text', actor: 'text', details: 'jsonb' }, 'event');
type EventParam = (typeof eventParams)[keyof typeof eventParams]['name'] | 'now';

/**
 * The audit event's insert (one row, or none when `from` finds none); `activation` is the SQL for its
 * order's id, `moreDetails` SQL of a jsonb object merged into its details (what only the statement
 * knows). It answers one row per event written.
 */
function eventInsert<A extends string, F extends string, M extends string = never>(
  activation: Fragment<A>,
  from: Fragment<F>,
  moreDetails?: Fragment<M>,
): Fragment<EventParam | A | F | M> {
  const details = moreDetails ? sql`coalesce(${eventParams.details}, '{}'::jsonb) || ${moreDetails}` : sql`${eventParams.details}`;
  return sql`insert into activation_events (id, activation_id, type, from_status, to_status, actor, details, occurred_at)
   select ${eventParams.id}, ${activation}, ${eventParams.type}, ${eventParams.from}, ${eventParams.to}, ${eventParams.actor},
          ${details}, ${nowParam} ${from}
   returning 1`;
}

function eventValues(transition: TransitionEvent, at: Date): Values<EventParam> {
  return {
    'event.id': newId('aev', at.getTime()),
    'event.type': transition.type,
    'event.from': transition.fromStatus,
    'event.to': transition.toStatus,
    'event.actor': transition.actor,
    'event.details': transition.details === null ? null : JSON.stringify(transition.details),
    now: at.toISOString(),
  };
}

const LOCK = statement('otpbox_activation_lock_v2', sql`select ${raw(SELECT_LIST)} from activations where id = ${idParam} for update`);

/** The order, locked until the caller's transaction ends. */
export async function lockActivationRow(db: Executor, orderId: string): Promise<ActivationRow | undefined> {
  const [row] = await runStatement(db, LOCK, { id: orderId });
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

/** The placement's own parameters (beside the hold's, the audit event's and the order's columns). */
const place = params({
  price: 'bigint',
  dearest: 'bigint',
  minuteAgo: 'timestamptz',
  hourAgo: 'timestamptz',
  maxOpen: 'int',
  maxPerMinute: 'int',
  cancelWindow: 'int',
  cancelMinOrders: 'int',
  cancelPercent: 'int',
  demoProvider: 'text',
  claimKey: 'text',
  claimHash: 'text',
});

/** A demo-paid order is the sandbox's: its price, provider and flag are the sandbox's. */
const DEMO_COLUMNS: Partial<Record<Key, Fragment<string>>> = {
  price: sql`${holdParams.demoPrice}`,
  provider: sql`${place.demoProvider}`,
  sandbox: sql`true`,
};
const placedValue = (key: Key) => {
  const value = columnParam('row', key);
  const demo = DEMO_COLUMNS[key];
  return demo ? sql`case when (select purse from wallet) = 'demo' then ${demo} else ${value} end` : sql`${value}`;
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
const PLACE = statement(
  'otpbox_activation_place_v6',
  sql`with${holdCtes({
    demo: true,
    decide: sql`decision as (
    select case when w.purse = 'demo' then ${holdParams.demoPrice}
                when w.posted + w.pending >= ${place.dearest} then ${place.dearest} else ${place.price} end as amount,
           l.open, l.last_minute, l.oldest, l.cancelled, l.ended,
           case when l.open >= ${place.maxOpen} then 'too_many_active'
                when ${place.maxPerMinute} > 0 and l.last_minute >= ${place.maxPerMinute} then 'order_rate'
                when l.cancelled >= ${place.cancelMinOrders} and l.cancelled * 100 >= l.ended * ${place.cancelPercent} then 'cancel_ratio'
           end as refusal
    from wallet w, credits c,
         lateral otpbox_order_limits(${holdParams.account}, c.id, ${place.minuteAgo}, ${place.hourAgo},
                                     ${place.maxPerMinute}, ${place.cancelWindow}) l
  ),
  claim as (
    insert into idempotency_keys (account_id, key, request_hash, activation_id, status, created_at)
    select ${holdParams.account}, ${place.claimKey}, ${place.claimHash}, ${columnParam('row', 'id')},
           'in_flight', ${holdParams.now}
    from wallet w, decision d
    where ${place.claimKey} is not null and d.refusal is null and w.posted + w.pending >= d.amount and w.restricted_at is null
      and exists (select 1 from credits) and exists (select 1 from counterpart)
    on conflict do nothing
    returning 1
  )`,
    amount: sql`d.amount`,
    from: sql`decision d`,
    gate: sql`d.refusal is null and (${place.claimKey} is null or exists (select 1 from claim))`,
  })},
  placed as (
    insert into activations (${raw(SELECT_LIST)})
    select ${join(
      COLUMNS.map(([key]) => placedValue(key)),
      ', ',
    )} from ins
    returning id
  ),
  audit as (${eventInsert(sql`placed.id`, sql`from placed`, sql`jsonb_build_object('held', (select amount from ins))`)})
  select c.id as wallet_id, w.purse, w.posted + w.pending as available, w.restricted_at is not null as restricted,
         d.amount, d.refusal, d.open, d.last_minute, d.oldest, d.cancelled, d.ended,
         (select count(*) from locked) as locked, (select count(*) from counterpart) as counterpart,
         (select count(*) from placed) as placed, (select count(*) from audit) as audited,
         ${HOLD_REFUSED}
  from (select 1) one left join credits c on true left join wallet w on true left join decision d on true`,
);

type PlacementRow = {
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
};

/**
 * Place a new order (`row`, status `requesting`, its `holdId` the hold's transfer id) with its first
 * audit event, and claim its idempotency key: see PLACE.
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
  const columns: Record<string, unknown> = {};
  for (const [key] of COLUMNS) columns[`row.${key}`] = toDriver(key, row[key]);
  const values = {
    account: row.accountId,
    system: hold.systemAccountId,
    transferId: hold.transferId,
    holdKey: hold.idempotencyKey,
    reason: hold.reason,
    metadata: JSON.stringify(hold.metadata),
    actor: hold.actor,
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
    ...eventValues(event, now),
    ...columns,
  };
  const result = await runTransferStatement(async () => {
    const [answer] = (await runStatement(db, PLACE, values)) as PlacementRow[];
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
const updateStatements = new Map<string, Statement>();

/** The update of a set of columns with its audit event (with no column, the event alone). */
const updateStatement = (keys: Key[]): Statement =>
  statementFor(updateStatements, 'otpbox_activation_update_v2', keys, () =>
    keys.length
      ? sql`with updated as (update activations set ${assignments(keys)} where id = ${idParam} returning id)
         ${eventInsert(sql`(select id from updated)`, sql``)}`
      : eventInsert(sql`${idParam}`, sql``),
  );

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
  await runStatement(db, updateStatement(keys), { id, ...setValues(keys, set), ...eventValues(event, now) });
}

const emittingStatements = new Map<string, Statement>();
const onlyFromParam = param('onlyFrom', 'text');
const callsParam = param('calls', 'jsonb');

/** The conditional update of a set of columns with its audit event and the account events. */
const emittingStatement = (keys: Key[]): Statement =>
  statementFor(
    emittingStatements,
    'otpbox_activation_emit_v2',
    keys,
    () => sql`with
      updated as (update activations set ${assignments(keys)} where id = ${idParam} and status = ${onlyFromParam} returning id),
      audit as (${eventInsert(sql`updated.id`, sql`from updated`)}),
      calls as (insert into provider_calls (activation_id, provider, action, outcome, duration_ms, answer, created_at)
        select updated.id, c.provider, c.action, c.outcome, c.duration_ms, c.answer, ${nowParam}
        from updated, jsonb_to_recordset(${callsParam}) as c(provider text, action text, outcome text, duration_ms integer, answer text)),
${emitCtes(sql`exists (select 1 from updated)`)}
      select (select count(*) from audit) as written, (select array_agg(id order by id) from announced) as ids`,
  );

/**
 * An order's change that happens only if the order is still in `onlyFrom`: the changed columns, the
 * audit event, and the account events announced if (and only if) the update happened.
 */
export interface ConditionalChange {
  id: string;
  set: Partial<ActivationRow>;
  event: TransitionEvent;
  now: Date;
  onlyFrom: ActivationRow['status'];
  emit: { accountId: string; events: EventToEmit[] };
}

/** The changed columns of a conditional change, and the values its statement's shared parameters take. */
function conditionalValues(change: ConditionalChange) {
  const keys = changedKeys(change.set);
  if (keys.length === 0) throw new Error('a conditional transition must change the order');
  const { id, set, event, now, onlyFrom, emit } = change;
  const values = { id, ...setValues(keys, set), onlyFrom, ...eventValues(event, now), ...emitValues(emit.accountId, emit.events, now) };
  return { keys, values };
}

/**
 * An order's conditional change and the events it announces — one statement, atomic on its own: the
 * update, its audit event, and (only if the update happened) the account events with their NOTIFY and
 * webhook deliveries. For the hottest transition (a number assigned to a new order), which then needs
 * no transaction of its own: one round trip, not four.
 */
export async function updateActivationRowAndEmit(
  db: Executor,
  change: ConditionalChange,
  calls: readonly ProviderCall[] = [],
): Promise<boolean> {
  const { keys, values } = conditionalValues(change);
  const [row] = (await runStatement(db, emittingStatement(keys), {
    ...values,
    calls: JSON.stringify(calls.map((call) => ({ ...call, duration_ms: call.durationMs }))),
  })) as { written: string | number }[];
  return Number(row?.written) === 1;
}

const capturingStatements = new Map<string, Statement>();

/** The update of a set of columns with its audit event and the account events, after the order's hold is captured. */
const capturingStatement = (keys: Key[]): Statement =>
  statementFor(
    capturingStatements,
    'otpbox_activation_capture_v2',
    keys,
    () => sql`with
  ${RESOLVE_CTES},
  updated as (update activations set ${assignments(keys)} where id = ${idParam} and status = ${onlyFromParam} returning id),
  audit as (${eventInsert(sql`updated.id`, sql`from updated`)}),
${emitCtes(sql`exists (select 1 from updated)`, RESOLVED_ACCOUNTS)}
  select (select count(*) from audit) as written, (select array_agg(id order by id) from announced) as ids,
         ${RESOLVE_RESULT}
  from (select 1) as one left join ins on true`,
  );

/**
 * An order's hold captured and its conditional change with the events it announces, in one statement:
 * the capture as `captureHold` writes it (`resolve`: its values), the update, its audit event, and
 * (only if the update happened) the account events, whose balance is the one the capture leaves. The
 * capture's row is answered for `resolvedHold`, which says why none was written; the caller's
 * transaction then rolls the whole statement back.
 */
export async function captureAndUpdateActivationRow(
  db: Executor,
  change: ConditionalChange,
  resolve: Values<ResolveParam>,
): Promise<{ written: boolean; resolution: DriverRow | undefined }> {
  const { keys, values } = conditionalValues(change);
  const [row] = (await runStatement(db, capturingStatement(keys), { ...values, ...resolve })) as (DriverRow & {
    written: string | number;
  })[];
  return { written: Number(row?.written) === 1, resolution: row };
}

/**
 * The statements of this file, for their snapshot (src/db/queries/activations.sql). The update
 * statements exist once per set of changed columns; the snapshot shows the common transitions' sets.
 */
export const ACTIVATION_STATEMENTS: readonly Statement[] = [
  LOCK,
  PLACE,
  updateStatement([]),
  updateStatement(['status', 'updatedAt']),
  emittingStatement(
    changedKeys({
      status: 'waiting',
      updatedAt: new Date(0),
      provider: '',
      upstreamId: '',
      phone: '',
      phoneHash: '',
      price: 0,
      providerCost: 0,
      providerCurrency: '',
      sandbox: false,
      nextPollAt: new Date(0),
      pollAttempts: 0,
    }),
  ),
  // A code received on a waiting order: its hold captured with the transition (activations/receive-sms.ts).
  capturingStatement(changedKeys({ status: 'received', updatedAt: new Date(0), receivedAt: new Date(0) })),
];
