import pg from 'pg';
import { cpuMs, entryNote, loadNote, placeOrder, prepareSite, stop } from './instances.ts';
import { freshDatabase, pgbenchInit, pgbenchRun } from './ledger.ts';
import type { Row, Started } from './lib.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CUSTOMERS = 16;
const POLLING_CLIENTS = 16;
const ORDERING_CLIENTS = 8;

/**
 * The same polling and ordering workload, flat out, against one real `otpbox start` and then against
 * two on the same PostgreSQL database (the client going round-robin between them), with pgbench TPC-B
 * on the same server in the same run for scale. Also the database transactions each request commits
 * (pg_stat_database), the figure the README's model of more instances starts from. On a machine whose
 * cores the instances share with the database and the load generator, the ratio says what this
 * machine allows, not what more cores would.
 */
export async function scaleOutBenchmark(): Promise<Row[]> {
  if (process.env.BENCH_ENGINE === 'pglite') throw new Error('scale-out needs PostgreSQL: two instances cannot share an embedded database');
  const pgbenchUrl = await freshDatabase('otpbox_bench_pgbench');
  pgbenchInit(pgbenchUrl);
  const tps = pgbenchRun(pgbenchUrl, 5);
  const site = await prepareSite(CUSTOMERS, 'otpbox_bench_scale_out');
  const instances: Started[] = [];
  const stats = new pg.Client({ connectionString: site.databaseUrl });
  await stats.connect();
  try {
    instances.push(await site.start());
    const url = (instances[0] as Started).url;
    const orders = await Promise.all(site.customers.map(async (customer) => ({ ...customer, id: await placeOrder(url, customer.key) })));
    const commits = async () => {
      // Statistics reach pg_stat_database when a backend goes idle (within a second): wait for them.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await stats.query('select pg_stat_clear_snapshot()');
      const { rows } = await stats.query('select xact_commit from pg_stat_database where datname = current_database()');
      return Number(rows[0].xact_commit);
    };
    const run = async (clients: number, request: (url: string, i: number) => Promise<void>, seconds = SECONDS) => {
      let done = 0;
      let next = 0;
      const end = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: clients }, async (_, c) => {
          for (let i = c; performance.now() < end; i += clients) {
            await request((instances[next++ % instances.length] as Started).url, i);
            done++;
          }
        }),
      );
      return done;
    };
    const poll = async (url: string, i: number) => {
      const order = orders[i % orders.length] as (typeof orders)[number];
      const response = await fetch(`${url}/api/v1/activations/${order.id}`, { headers: { authorization: `Bearer ${order.key}` } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`poll failed: ${response.status}`);
    };
    const order = async (url: string, i: number) => {
      await placeOrder(url, (site.customers[i % site.customers.length] as (typeof site.customers)[number]).key);
    };
    const measure = async () => {
      // A short warm-up of each (compiled code, prepared statements, a new instance's caches), not counted.
      await run(POLLING_CLIENTS, poll, 3);
      await run(ORDERING_CLIENTS, order, 3);
      const cpu = () => instances.reduce((sum, instance) => sum + cpuMs(instance.child.pid), 0);
      const before = await commits();
      const cpuBefore = cpu();
      const polls = await run(POLLING_CLIENTS, poll);
      const cpuMiddle = cpu();
      const middle = await commits();
      const placed = await run(ORDERING_CLIENTS, order);
      const cpuAfter = cpu();
      const after = await commits();
      return {
        polls: polls / SECONDS,
        orders: placed / SECONDS,
        commitsPerPoll: (middle - before) / polls,
        commitsPerOrder: (after - middle) / placed,
        cpuPerPoll: (cpuMiddle - cpuBefore) / polls,
        cpuPerOrder: (cpuAfter - cpuMiddle) / placed,
        load: loadNote(),
      };
    };
    const one = await measure();
    instances.push(await site.start());
    const two = await measure();
    return [
      { name: 'pgbench TPC-B, 8 clients, same server', value: tps, unit: 'tps', note: `ran ${entryNote()}` },
      { name: `polls, 1 instance (${POLLING_CLIENTS} clients)`, value: one.polls, unit: 'req/s', ratio: 1, note: one.load },
      {
        name: `polls, 2 instances (${POLLING_CLIENTS} clients)`,
        value: two.polls,
        unit: 'req/s',
        ratio: two.polls / one.polls,
        note: two.load,
      },
      { name: `orders, 1 instance (${ORDERING_CLIENTS} clients)`, value: one.orders, unit: 'orders/s', ratio: 1 },
      { name: `orders, 2 instances (${ORDERING_CLIENTS} clients)`, value: two.orders, unit: 'orders/s', ratio: two.orders / one.orders },
      // Every statement outside a transaction is a transaction of its own: a poll's lone reads count.
      {
        name: 'database transactions per poll',
        value: one.commitsPerPoll,
        unit: 'xact',
        note: `with 2 instances ${two.commitsPerPoll.toFixed(2)}`,
      },
      {
        name: 'database transactions per order',
        value: one.commitsPerOrder,
        unit: 'xact',
        note: `with 2 instances ${two.commitsPerOrder.toFixed(2)}`,
      },
      { name: 'instance CPU per poll', value: one.cpuPerPoll, unit: 'ms', note: `with 2 instances ${two.cpuPerPoll.toFixed(2)} ms` },
      { name: 'instance CPU per order', value: one.cpuPerOrder, unit: 'ms', note: `with 2 instances ${two.cpuPerOrder.toFixed(2)} ms` },
    ];
  } finally {
    await stats.end();
    for (const instance of instances) await stop(instance);
    await site.remove();
  }
}
