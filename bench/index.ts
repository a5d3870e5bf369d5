// `npm run bench [-- name…]`: every benchmark, or the ones named. Each prints ratios against a
// baseline measured in the same run, because the machines are shared and absolute times drift.
// With more than one to run, each runs in a process of its own: one benchmark's heap, compiled code
// and leftover work never weigh on the next.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { authBenchmark } from './auth.ts';
import { compatPollingBenchmark } from './compat.ts';
import { gatewaysBenchmark } from './gateways.ts';
import { smppGatewayBenchmark } from './gateways-smpp.ts';
import { ledgerBenchmark } from './ledger.ts';
import { printTable, type Row } from './lib.ts';
import { ordersBenchmark, pollingBenchmark, sseLatencyBenchmark } from './orders.ts';
import { overviewBenchmark } from './overview.ts';
import { paymentsBenchmark } from './payments.ts';
import { scaleOutBenchmark } from './scale-out.ts';
import { soakBenchmark } from './soak.ts';
import { sseCapacityBenchmark } from './sse-capacity.ts';
import { startupBenchmark } from './startup.ts';

const benchmarks: Record<string, { title: string; run: () => Promise<Row[]>; onlyWhenNamed?: boolean }> = {
  startup: { title: 'start-up, crash recovery and idle memory (median of BENCH_STARTUP_RUNS, default 5)', run: () => startupBenchmark() },
  ledger: { title: 'ledger throughput vs pgbench TPC-B on the same server (BENCH_PG_SERVER, BENCH_SECONDS)', run: () => ledgerBenchmark() },
  polling: {
    title: 'polling an order vs a bare Fastify route (in-process; BENCH_DATABASE_URL for PostgreSQL)',
    run: () => pollingBenchmark(),
  },
  orders: { title: 'orders created per second vs pgbench TPC-B on the same server', run: () => ordersBenchmark() },
  sse: { title: 'SMS arrival → live event at a connected client (p50/p99 of 300, after 30 not counted)', run: () => sseLatencyBenchmark() },
  payments: {
    title: 'Stripe webhook events handled per second (signed, re-read from a local fake) vs pgbench TPC-B on the same server',
    run: () => paymentsBenchmark(),
  },
  'compat-polling': {
    title: 'SMS-Activate getStatus by api_key vs a bare Fastify route (in-process; BENCH_DATABASE_URL for PostgreSQL)',
    run: () => compatPollingBenchmark(),
  },
  // Not in the default set (each puts thousands of numbers in the pool first, minutes): name them.
  gateways: {
    title:
      'inbound SMS on own numbers: signed gateway webhooks per second to the live event, per channel, vs pgbench TPC-B on the same server',
    run: () => gatewaysBenchmark(),
    onlyWhenNamed: true,
  },
  'gateways-smpp': {
    title: 'inbound SMS through an SMPP link (fake SMSC on 127.0.0.1, 8 in flight) vs pgbench TPC-B on the same server',
    run: () => smppGatewayBenchmark(),
    onlyWhenNamed: true,
  },
  auth: { title: 'sign-in and request authentication (in-process; BENCH_DATABASE_URL for PostgreSQL)', run: () => authBenchmark() },
  // Not in the default set (seeding a million orders takes minutes): `npm run bench -- overview`.
  overview: {
    title: 'staff overview over 1,000,000 orders in PostgreSQL (BENCH_PG_SERVER; BENCH_OVERVIEW_ORDERS) vs a select 1 round trip',
    run: () => overviewBenchmark(),
    onlyWhenNamed: true,
  },
  // Capacity (issue 21): each spawns real `otpbox start` processes and load generators for minutes.
  'sse-capacity': {
    title:
      'one instance holding BENCH_SSE_CONNECTIONS (10,000) event streams: RSS, and SMS → event p99 vs the same with 1 stream (BENCH_PG_SERVER; BENCH_ENGINE=pglite)',
    run: () => sseCapacityBenchmark(),
    onlyWhenNamed: true,
  },
  soak: {
    title: 'mixed load for BENCH_SOAK_SECONDS (600) on one instance: RSS growth after the warm-up, p99 per minute',
    run: () => soakBenchmark(),
    onlyWhenNamed: true,
  },
  'scale-out': {
    title: 'polling and orders against one instance, then two on the same PostgreSQL (round-robin), with pgbench for scale',
    run: () => scaleOutBenchmark(),
    onlyWhenNamed: true,
  },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`);
  process.exit(64);
}
const names = Object.keys(benchmarks).filter((name) => (wanted.length === 0 ? !benchmarks[name]?.onlyWhenNamed : wanted.includes(name)));
if (process.env.OTPBOX_BENCH_CHILD !== '1')
  console.log(`otpbox benchmarks — node ${process.version}, ${os.cpus().length} cpus, ${new Date().toISOString()}`);
if (names.length === 1) {
  const [name] = names as [string];
  const bench = benchmarks[name] as (typeof benchmarks)[string];
  printTable(bench.title, await bench.run());
} else {
  for (const name of names) {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1] as string, name], {
      stdio: 'inherit',
      env: { ...process.env, OTPBOX_BENCH_CHILD: '1' },
    });
    if (child.status !== 0) process.exit(child.status ?? 1);
  }
}
