import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.ts';
import { openStream } from '../support/sse.ts';
import { checkBalances, checkHolds, checkLedger, checkOrders, checkSms } from './support/checker.ts';
import { type Fleet, fleetOutput, type Instance, startFleet } from './support/fleet.ts';
import { follow } from './support/follower.ts';
import { Balancer, lastAttempt, succeeded, summarize } from './support/history.ts';
import { completeCheckout, newStormRecord, type OrderAnswer, orderRequest, topUp, unresolved } from './support/storm.ts';

/**
 * Issue 21, "database restart": PostgreSQL (a private cluster: see support/cluster.ts) is stopped for
 * about three seconds and started again while clients keep two instances busy. While it is down,
 * /readyz answers 503 and requests fail fast with SERVICE_UNAVAILABLE; once it is back every instance
 * is ready within 5 s, its LISTEN connection is back (an event written through instance A reaches a
 * stream on instance B, and what was written meanwhile is replayed from Last-Event-ID), jobs due
 * during the outage run once, and nothing acknowledged is lost.
 */
const CLIENTS = 8;
const DOWN_MS = 3000;
/** A fault-suite bound, not a unit-test timing: a request during the outage must not wait on the database. */
const FAIL_FAST_MS = 2000;
const RECOVERY_MS = 5000;
/** The outage covers the start of a slot of these jobs (their intervals divide 15 s): each must run that slot once. */
const SLOT_MS = 15_000;
const JOBS_DUE_IN_OUTAGE = ['provider-reconcile', 'email-delivery'] as const;
const log = (line: string) => process.stdout.write(`[database-restart] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let fleet: Fleet;
beforeAll(async () => {
  // Clients order for as long as the test runs, so a fast machine places hundreds each: fund them well beyond that.
  fleet = await startFleet({ instances: 2, customers: CLIENTS + 1, startingCredits: 1_000_000, log });
}, 240_000);
afterAll(async () => {
  await fleet?.close();
});

async function readyz(instance: Instance): Promise<{ status: number; ms: number; code?: string }> {
  const started = performance.now();
  try {
    const response = await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
    return { status: response.status, ms: performance.now() - started, code: body.error?.code };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}

describe('PostgreSQL restarted under load', () => {
  it('503 while down, fast; every instance back within 5 s with its LISTEN, events and jobs; nothing acknowledged lost', async ({
    onTestFailed,
  }) => {
    onTestFailed(() => {
      log(`instance output:\n${fleetOutput(fleet)}`);
    });
    const [a, b] = fleet.instances as [Instance, Instance];
    const balancer = new Balancer(() => fleet.instances);
    const viaA = new Balancer(() => [a]);
    const history = () => [...balancer.operations, ...viaA.operations];
    const record = newStormRecord();
    const watcher = CLIENTS; // the last customer watches its events on instance B
    const watcherAuth = { authorization: (fleet.customers[watcher] as { bearer: string }).bearer };

    // Before the outage: the watcher's stream on B, and its order (bought through A).
    const stream = await follow(() => b.url, watcherAuth);
    const watched = await balancer.request(orderRequest(fleet, watcher, 'watched-order'), a);
    expect(succeeded(watched), JSON.stringify(lastAttempt(watched))).toBe(true);
    const order = (lastAttempt(watched) as { body: OrderAnswer }).body;
    const [{ upstream_id: upstreamId } = { upstream_id: '' }] = await queryRows<{ upstream_id: string }>(
      fleet.database.db,
      sql`select upstream_id from activations where id = ${order.id}`,
    );
    await stream.waitFor((events) => events.some((e) => e.data.activationId === order.id), 10_000);
    const lastBefore = stream.events.at(-1)?.id ?? 0;

    // Clients keep ordering and reading their balance until told to stop.
    let loading = true;
    let round = 0;
    const client = async (index: number) => {
      while (loading) {
        const n = round++;
        await balancer.request(orderRequest(fleet, index, `c${index}-o${n}`));
        await balancer.request({
          client: index,
          op: 'me',
          method: 'GET',
          path: '/api/v1/me',
          headers: { authorization: fleet.customers[index]?.bearer ?? '' },
        });
        await sleep(50);
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));

    // The outage starts a second before a slot boundary of the jobs checked below.
    const boundary = Math.ceil((Date.now() + 4000) / SLOT_MS) * SLOT_MS;
    await sleep(boundary - 1000 - Date.now());
    await fleet.cluster.stop();
    const downAt = Date.now();
    const probes: { instance: string; status: number; ms: number; code?: string }[] = [];
    while (Date.now() - downAt < DOWN_MS) {
      for (const instance of fleet.instances) probes.push({ instance: instance.name, ...(await readyz(instance)) });
      await sleep(250);
    }
    // The code arrives upstream while the database is down: it is fetched once the instances are back.
    fleet.upstream.deliverSms(upstreamId, { text: 'Your code is 424242', code: '424242' });
    record.smsSent.set(order.id, '424242');
    await fleet.cluster.start();
    const upAt = Date.now();
    // Written through A at once, while B's listener may still be reconnecting: B must not miss it.
    const topUpDuringReconnect = topUp(fleet, viaA, record, watcher, 'watcher-topup');

    const recovery = await Promise.all(
      fleet.instances.map(async (instance) => {
        for (;;) {
          const probe = await readyz(instance);
          if (probe.status === 200) return { instance: instance.name, ms: Date.now() - upAt };
          if (Date.now() - upAt > 30_000) return { instance: instance.name, ms: Number.POSITIVE_INFINITY };
          await sleep(100);
        }
      }),
    );
    log(`down ${upAt - downAt} ms; ready again after ${recovery.map((r) => `${r.instance} ${r.ms} ms`).join(', ')}`);
    await topUpDuringReconnect;
    // The code pushed to A after the return (the provider's webhook), and the poll may have fetched it first.
    const pushed = await fleet.upstream.pushSms(`${a.url}/webhooks/providers/alpha?token=${fleet.pushToken}`, upstreamId);
    await sleep(2000);
    loading = false;
    await load;

    // B's stream heard what was written through A: the payment, the balance and the code.
    const heard = (events: typeof stream.events) =>
      events.some((e) => e.event === 'payment.updated') &&
      events.some((e) => e.event === 'sms.received' && e.data.activationId === order.id);
    await stream
      .waitFor(heard, 15_000)
      .catch((error) => log(`stream on B: ${error.message}; ${JSON.stringify(stream.events.map((e) => [e.id, e.event]))}`));
    stream.close();
    const stored = await queryRows<{ seq: number; type: string }>(
      fleet.database.db,
      sql`select seq::int as seq, type from account_events where account_id = ${fleet.customers[watcher]?.accountId ?? ''} order by seq`,
    );
    // Resumed from Last-Event-ID after the outage: exactly the events after the last one seen before it.
    const resumed = await openStream(b.url, { ...watcherAuth, 'last-event-id': String(lastBefore) });
    await resumed.waitFor((events) => events.length >= stored.filter((e) => e.seq > lastBefore).length, 10_000).catch(() => {});
    resumed.close();

    // Retry what the outage refused, with the same keys, as a client told "retry in a few seconds" does.
    const refused = history().filter(unresolved);
    for (const operation of refused) await balancer.retry(operation);
    for (const operation of refused)
      if (operation.op === 'checkout' && succeeded(operation)) await completeCheckout(fleet, balancer, record, operation);

    const operations = history();
    const during = operations.filter((o) => o.attempts[0] && o.attempts[0].at >= downAt && o.attempts[0].at < upAt);
    const badAnswers = operations.flatMap((o) =>
      o.attempts.filter(
        (attempt) => attempt.kind === 'unknown' || (attempt.status >= 500 && errorCodeOf(attempt.body) !== 'SERVICE_UNAVAILABLE'),
      ),
    );
    const slow = during.filter((o) => (o.attempts[0]?.ms ?? 0) > FAIL_FAST_MS);
    const jobs = await queryRows<{ job: string; runs: number; succeeded: number; started: string }>(
      fleet.database.db,
      sql`select job, count(*)::int as runs, count(*) filter (where status = 'succeeded')::int as succeeded, min(started_at) as started
          from job_runs where slot_start = ${new Date(boundary).toISOString()} group by job`,
    );
    const summary = summarize(operations);
    log(
      `${summary.operations} requests: ${during.length} sent while down (${during.filter((o) => o.attempts[0]?.kind === 'answered' && o.attempts[0].status === 503).length} answered 503), ` +
        `${refused.length} retried, ${summary.acknowledged} acknowledged, ${summary.unknown} unknown; ` +
        `slowest while down ${Math.round(Math.max(0, ...during.map((o) => o.attempts[0]?.ms ?? 0)))} ms; ` +
        `B's stream reconnected ${stream.connections() - 1} time(s); jobs of the slot ${new Date(boundary).toISOString()}: ${JSON.stringify(jobs)}`,
    );

    const problems = [
      ...probes
        .filter((p) => p.status !== 503 || p.code !== 'SERVICE_UNAVAILABLE')
        .map((p) => `/readyz on ${p.instance} while down: ${p.status} ${p.code ?? ''}`),
      ...recovery.filter((r) => r.ms > RECOVERY_MS).map((r) => `instance ${r.instance} ready only after ${r.ms} ms`),
      ...badAnswers.slice(0, 10).map((attempt) => `answer ${JSON.stringify(attempt).slice(0, 300)}`),
      ...slow.slice(0, 10).map((o) => `${o.method} ${o.path} took ${Math.round(o.attempts[0]?.ms ?? 0)} ms while the database was down`),
      ...(await checkOrders(fleet, operations)),
      ...(await checkHolds(fleet)),
      ...(await checkBalances(fleet, operations, record)),
      ...(await checkSms(fleet, record)),
      ...(await checkLedger(fleet)),
      ...eventProblems(stream.events, stored, lastBefore, resumed.events),
      // Claimed (a row written) only once the database was back, by one instance, and run to the end.
      ...JOBS_DUE_IN_OUTAGE.flatMap((job) => {
        const run = jobs.find((row) => row.job === job);
        return run?.runs === 1 && run.succeeded === 1 ? [] : [`job ${job} of the slot due during the outage: ${JSON.stringify(run)}`];
      }),
    ];
    expect(problems).toEqual([]);
    expect([200, 204]).toContain(pushed);
    // The outage was felt: requests were refused while it lasted, and all were acknowledged once retried.
    expect(during.some((o) => o.attempts[0]?.kind === 'answered' && o.attempts[0].status === 503)).toBe(true);
    // All but orders whose request failed with the database after placing them and buying their number:
    // those stay "being bought" (409 IDEMPOTENCY_KEY_IN_USE) until the expiry sweep fails them.
    const notAcknowledged = operations.filter((o) => !succeeded(o));
    for (const operation of notAcknowledged)
      log(
        `not acknowledged: ${operation.op} ${operation.idempotencyKey ?? operation.path} ${JSON.stringify(operation.attempts.map((a) => (a.kind === 'answered' ? `${a.status} ${errorCodeOf(a.body) ?? ''}` : a.reason)))}`,
      );
    expect(
      notAcknowledged.filter(
        (o) => o.op !== 'order' || errorCodeOf((lastAttempt(o) as { body?: unknown }).body) !== 'IDEMPOTENCY_KEY_IN_USE',
      ),
    ).toEqual([]);
    // Each client has at most one order in flight when the database goes away, so at most one each.
    expect(notAcknowledged.length).toBeLessThanOrEqual(CLIENTS);
  });
});

const errorCodeOf = (body: unknown) => (body as { error?: { code?: string } } | undefined)?.error?.code;

/** The stream on B saw every stored event of its account once, in order, without a gap; the resumed one exactly those after `lastBefore`. */
function eventProblems(
  seen: { id: number; event: string }[],
  stored: { seq: number; type: string }[],
  lastBefore: number,
  resumed: { id: number; event: string }[],
): string[] {
  const problems: string[] = [];
  const ids = seen.map((e) => e.id);
  const expected = stored.map((e) => e.seq);
  if (JSON.stringify(ids) !== JSON.stringify(expected)) problems.push(`stream on B saw events ${ids}, the account has ${expected}`);
  const after = stored.filter((e) => e.seq > lastBefore).map((e) => `${e.seq}:${e.type}`);
  const replayed = resumed.map((e) => `${e.id}:${e.event}`);
  if (JSON.stringify(after) !== JSON.stringify(replayed))
    problems.push(`resumed from Last-Event-ID ${lastBefore}: ${replayed}, expected ${after}`);
  return problems;
}
