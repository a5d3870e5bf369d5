import { sql } from 'drizzle-orm';
import { queryRows } from '../../../src/db/client.ts';
import { balanceOf } from '../../../src/modules/ledger/index.ts';
import type { Fleet } from './fleet.ts';
import { answerOf, type Operation, succeeded } from './history.ts';
import type { OrderAnswer, StormRecord } from './storm.ts';

/**
 * The checks of a history against the database the storm left: each returns the problems it found,
 * in words (an empty list: the property holds), so a failure names every broken promise at once.
 */

interface KeyedOrder {
  account_id: string;
  key: string;
  activation_id: string | null;
  status: string | null;
}

const REFUSALS = new Set(['NO_NUMBERS', 'PROVIDER_UNAVAILABLE']);
const errorCode = (body: unknown) => (body as { error?: { code?: string } } | undefined)?.error?.code ?? '';

const indeterminate = (attempt: Operation['attempts'][number]) => attempt.kind === 'unknown' || attempt.status >= 500;

const accountOf = (fleet: Fleet, client: number) => (fleet.customers[client] as { accountId: string }).accountId;

/**
 * Every acknowledged order exists exactly once, under its key, with the id the client was told; every
 * order in the database was asked for by a request that was acknowledged or whose outcome is unknown
 * (no answer, or a 5xx).
 */
export async function checkOrders(fleet: Fleet, operations: Operation[]): Promise<string[]> {
  const problems: string[] = [];
  const accounts = fleet.customers.map((c) => c.accountId);
  const keyed = await queryRows<KeyedOrder>(
    fleet.database.db,
    sql`select k.account_id, k.key, k.activation_id, a.status from idempotency_keys k
        left join activations a on a.id = k.activation_id where k.account_id in ${accounts}`,
  );
  const byKey = new Map(keyed.map((row) => [`${row.account_id}/${row.key}`, row]));
  const orders = operations.filter((operation) => operation.op === 'order');
  const requested = new Map(orders.map((operation) => [`${accountOf(fleet, operation.client)}/${operation.idempotencyKey}`, operation]));
  for (const operation of orders) {
    const ids = new Set(
      operation.attempts.flatMap((attempt) =>
        attempt.kind === 'answered' && attempt.status < 300 ? [(attempt.body as OrderAnswer).id] : [],
      ),
    );
    if (ids.size > 1) problems.push(`key ${operation.idempotencyKey} was answered with ${ids.size} different orders: ${[...ids]}`);
    if (!succeeded(operation)) continue;
    const row = byKey.get(`${accountOf(fleet, operation.client)}/${operation.idempotencyKey}`);
    const told = answerOf<OrderAnswer>(operation)?.id;
    if (!row?.activation_id || row.status === null)
      problems.push(`acknowledged order ${told} (key ${operation.idempotencyKey}) is missing`);
    else if (row.activation_id !== told) problems.push(`key ${operation.idempotencyKey}: told ${told}, stored ${row.activation_id}`);
  }
  for (const row of keyed) {
    if (!row.activation_id) continue;
    const operation = requested.get(`${row.account_id}/${row.key}`);
    // A 5xx answer does not say whether the order was placed (README: an order placed whose answer was
    // lost "a fault, a 5xx, a dropped connection"): like a broken connection, its outcome is unknown.
    const mayExist = operation && (succeeded(operation) || operation.attempts.some(indeterminate));
    // An order the provider could not fill is placed, fails at once with its credits released, and
    // that failure is the answer its key gives: it exists, answered with a refusal.
    const refused =
      operation && row.status === 'failed' && operation.attempts.some((a) => a.kind === 'answered' && REFUSALS.has(errorCode(a.body)));
    if (!mayExist && !refused)
      problems.push(`order ${row.activation_id} (key ${row.key}) exists, but no request for it was acknowledged or unknown`);
  }
  const [counts] = await queryRows<{ orders: number; keyed: number }>(
    fleet.database.db,
    sql`select (select count(*)::int from activations where account_id in ${accounts}) as orders,
               (select count(*)::int from idempotency_keys where account_id in ${accounts} and activation_id is not null) as keyed`,
  );
  if (counts && counts.orders !== counts.keyed) problems.push(`${counts.orders} orders but ${counts.keyed} keys naming one`);
  return problems;
}

/** No hold outlives its order: an order that ended (or was charged) has its hold captured or released. */
export async function checkHolds(fleet: Fleet): Promise<string[]> {
  const open = await queryRows<{ id: string; status: string }>(
    fleet.database.db,
    sql`select a.id, a.status from activations a join ledger_transfers h on h.id = a.hold_id
        where a.status not in ('requesting', 'waiting')
          and not exists (select 1 from ledger_transfers r where r.pending_id = h.id)`,
  );
  return open.map((row) => `order ${row.id} is ${row.status} but its hold is still open`);
}

/**
 * Each customer's balance, computed from the history: the starting credits, plus every top-up whose
 * webhook was acknowledged, minus the price of every order sent a code; held: the price of every
 * acknowledged order neither sent a code nor cancelled. An order request never acknowledged but whose
 * outcome is unknown may or may not have placed its order: the database says which, and such an order,
 * still being bought when its instance died, holds its price until the expiry sweep fails it.
 */
export async function checkBalances(fleet: Fleet, operations: Operation[], record: StormRecord): Promise<string[]> {
  const problems: string[] = [];
  const cancelled = new Set(operations.filter((o) => o.op === 'cancel' && succeeded(o)).map((o) => o.path.split('/').at(-2) as string));
  const inDoubt = await openOrdersInDoubt(fleet, operations);
  for (const [client, actor] of fleet.customers.entries()) {
    let posted = fleet.startingCredits;
    let held = inDoubt.get(actor.accountId) ?? 0;
    for (const [, payer] of record.credited) if (payer === client) posted += fleet.topUp.credits;
    for (const operation of operations) {
      const order = operation.op === 'order' && operation.client === client ? answerOf<OrderAnswer>(operation) : undefined;
      if (!order) continue;
      if (record.smsSent.has(order.id)) posted -= order.price;
      else if (!cancelled.has(order.id)) held += order.price;
    }
    const balance = await balanceOf(fleet.database.db, actor.accountId);
    if (balance.posted !== posted || balance.held !== held)
      problems.push(`customer ${client}: ledger posted ${balance.posted} held ${balance.held}, history says posted ${posted} held ${held}`);
  }
  return problems;
}

/** Per account, the price held by open orders of requests never acknowledged (their outcome unknown). */
async function openOrdersInDoubt(fleet: Fleet, operations: Operation[]): Promise<Map<string, number>> {
  const held = new Map<string, number>();
  const doubtful = operations.filter((o) => o.op === 'order' && !succeeded(o) && o.attempts.some(indeterminate));
  for (const operation of doubtful) {
    const accountId = accountOf(fleet, operation.client);
    const [row] = await queryRows<{ price: number; status: string }>(
      fleet.database.db,
      sql`select a.price::int as price, a.status from idempotency_keys k join activations a on a.id = k.activation_id
          where k.account_id = ${accountId} and k.key = ${operation.idempotencyKey ?? ''}`,
    );
    if (row && (row.status === 'requesting' || row.status === 'waiting')) held.set(accountId, (held.get(accountId) ?? 0) + row.price);
  }
  return held;
}

/** Each SMS the upstream delivered for an order is on that order exactly once, charged (not late). */
export async function checkSms(fleet: Fleet, record: StormRecord): Promise<string[]> {
  const problems: string[] = [];
  const ids = [...record.smsSent.keys()];
  if (ids.length === 0) return problems;
  const rows = await queryRows<{ activation_id: string; code: string | null; late: boolean }>(
    fleet.database.db,
    sql`select activation_id, code, late from activation_sms where activation_id in ${ids}`,
  );
  for (const [id, code] of record.smsSent) {
    const found = rows.filter((row) => row.activation_id === id);
    if (found.length !== 1 || found[0]?.code !== code || found[0]?.late)
      problems.push(
        `order ${id}: ${found.length} SMS stored (${found.map((r) => `${r.code}${r.late ? ' late' : ''}`)}), expected ${code} once`,
      );
  }
  return problems;
}

/** Wait until every SMS sent upstream is on its order (the instances poll for them), at most `timeoutMs`. */
export async function smsArrived(fleet: Fleet, record: StormRecord, timeoutMs: number): Promise<number> {
  const ids = [...record.smsSent.keys()];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await queryRows<{ n: number }>(
      fleet.database.db,
      sql`select count(distinct activation_id)::int as n from activation_sms where activation_id in ${ids.length ? ids : ['']}`,
    );
    const missing = ids.length - (row?.n ?? 0);
    if (missing === 0 || Date.now() > deadline) return missing;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** `otpbox ledger verify` on the fleet's database: its problems, if it did not pass. */
export async function checkLedger(fleet: Fleet): Promise<string[]> {
  const verify = await fleet.otpbox(['ledger', 'verify']);
  return verify.code === 0 ? [] : [`otpbox ledger verify exited ${verify.code}:\n${verify.stdout}${verify.stderr}`];
}
