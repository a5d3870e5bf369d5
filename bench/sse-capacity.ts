import { MAX_STREAMS_PER_ACCOUNT } from '../src/http/sse.ts';
import {
  entryNote,
  loadNote,
  openFilesLimit,
  openSseClients,
  placeOrder,
  prepareSite,
  rssMb,
  type SseClients,
  stop,
  type WatchedStream,
  watchStream,
} from './instances.ts';
import { percentile, type Row } from './lib.ts';

const CONNECTIONS = Number(process.env.BENCH_SSE_CONNECTIONS ?? 10_000);
/** Enough customers that none holds more streams than one account may (MAX_STREAMS_PER_ACCOUNT, ADR 53). */
const ACCOUNTS = Number(process.env.BENCH_SSE_ACCOUNTS ?? Math.max(1000, Math.ceil(CONNECTIONS / MAX_STREAMS_PER_ACCOUNT)));
/**
 * Load-generator processes the streams are spread over: at least two, and enough that each holds fewer
 * sockets than the open-files limit it inherits (1024 on many systems).
 */
const GENERATORS = Math.max(2, Math.ceil(CONNECTIONS / (openFilesLimit() - 64)));
const SAMPLES = 300;
const WARM_UP = 30;
/** Memory is read after the server has had this long to settle (V8 shrinks an idle heap). */
const SETTLE_MS = 10_000;

/**
 * One real `otpbox start` holding CONNECTIONS live event streams (GET /api/v1/events, spread over
 * ACCOUNTS customers, opened from separate load-generator processes on raw sockets): its resident
 * memory, and the time from an SMS delivered for one customer's order (POST /api/v1/sandbox/sms) to
 * the `sms.received` event on that customer's stream, p50/p99 of SAMPLES. The baseline is the same
 * path measured in the same run with only that one stream open.
 */
export async function sseCapacityBenchmark(): Promise<Row[]> {
  if (CONNECTIONS / ACCOUNTS > MAX_STREAMS_PER_ACCOUNT - 1) {
    throw new Error(
      `BENCH_SSE_CONNECTIONS / BENCH_SSE_ACCOUNTS must leave each customer under ${MAX_STREAMS_PER_ACCOUNT} streams (the watched one included): raise BENCH_SSE_ACCOUNTS`,
    );
  }
  const site = await prepareSite(ACCOUNTS, 'otpbox_bench_sse_capacity');
  // The server holds every stream's socket, plus its database connections and files.
  const server = await site.start({}, CONNECTIONS + 1024);
  const generators: SseClients[] = [];
  let watched: WatchedStream | undefined;
  try {
    const chosen = site.customers[0] as (typeof site.customers)[number];
    const orderId = await placeOrder(server.url, chosen.key);
    watched = await watchStream(server.url, chosen.key);
    const latency = async (round: string) => {
      const samples: number[] = [];
      for (let i = 0; i < WARM_UP + SAMPLES; i++) {
        const code = `${round}${String(i).padStart(5, '0')}`;
        const started = performance.now();
        const response = await fetch(`${server.url}/api/v1/sandbox/sms`, {
          method: 'POST',
          headers: { authorization: `Bearer ${chosen.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ activationId: orderId, text: `Telegram code: ${code}` }),
        });
        if (response.status !== 202) throw new Error(`sandbox SMS refused: ${response.status} ${await response.text()}`);
        await (watched as WatchedStream).waitFor(code);
        if (i >= WARM_UP) samples.push(performance.now() - started);
      }
      return samples;
    };
    const alone = await latency('1');
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const idleRss = rssMb(server.child.pid);
    const idleLoad = loadNote();

    const keys = site.customers.map((customer) => customer.key);
    for (let g = 0; g < GENERATORS; g++) {
      const count = Math.floor((CONNECTIONS - 1) / GENERATORS) + (g < (CONNECTIONS - 1) % GENERATORS ? 1 : 0);
      // Each generator starts at a different customer, so the streams spread evenly over all of them.
      generators.push(openSseClients(server.url, [...keys.slice(g), ...keys.slice(0, g)], count));
    }
    const opened = await Promise.all(generators.map((generator) => generator.opened));
    const openMs = Math.max(...opened.map((o) => o.ms));
    const streams = opened.reduce((sum, o) => sum + o.opened, 1);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const fullRss = rssMb(server.child.pid);
    const fullLoad = loadNote();
    const crowded = await latency('2');
    const afterRss = rssMb(server.child.pid);
    // The chosen customer's other streams got every SMS too: proof the fan-out reached them.
    const counts = await Promise.all(generators.map((generator) => generator.events()));
    const fannedOut = counts.reduce((sum, count) => sum + count.events, 0);
    const dropped = counts.reduce((sum, count) => sum + count.dropped, 0);

    // The baseline again with the crowd gone: the machine's load drifts over the minutes between the
    // two rounds, and both baseline rounds together bracket the crowded one.
    await Promise.all(generators.splice(0).map((generator) => generator.close()));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const aloneAgain = await latency('3');
    const baseline = [...alone, ...aloneAgain];
    const base99 = percentile(baseline, 99);
    const perConnectionKb = ((Math.max(fullRss, afterRss) - idleRss) * 1024) / (streams - 1);
    const engine = `${site.engine}, ran ${entryNote()}`;
    return [
      { name: 'SMS → event, 1 stream open: p50', value: percentile(baseline, 50), unit: 'ms', note: idleLoad },
      {
        name: 'SMS → event, 1 stream open: p99 (baseline)',
        value: base99,
        unit: 'ms',
        ratio: 1,
        note: `before the crowd ${percentile(alone, 99).toFixed(0)} ms, after ${percentile(aloneAgain, 99).toFixed(0)} ms; ${loadNote()}`,
      },
      { name: `SMS → event, ${streams} streams open: p50`, value: percentile(crowded, 50), unit: 'ms', note: fullLoad },
      {
        name: `SMS → event, ${streams} streams open: p99`,
        value: percentile(crowded, 99),
        unit: 'ms',
        ratio: percentile(crowded, 99) / base99,
        note: 'goal < 50 ms',
      },
      { name: 'RSS, 1 stream open (idle)', value: idleRss, unit: 'MB', note: engine },
      {
        name: `RSS, ${streams} streams open`,
        value: Math.max(fullRss, afterRss),
        unit: 'MB',
        ratio: Math.max(fullRss, afterRss) / idleRss,
        note: 'goal < 1024 MB',
      },
      { name: 'RSS per open stream', value: perConnectionKb, unit: 'KB' },
      {
        name: `streams opened per second (${ACCOUNTS} customers)`,
        value: (streams - 1) / (openMs / 1000),
        unit: 'streams/s',
        note: `${GENERATORS} load generators, 64 opening at once each`,
      },
      {
        name: 'events at the other streams of that customer',
        value: fannedOut,
        unit: 'events',
        note: `streams ended by the server: ${dropped}`,
      },
    ];
  } finally {
    watched?.close();
    await Promise.all(generators.map((generator) => generator.close()));
    await stop(server);
    await site.remove();
  }
}
