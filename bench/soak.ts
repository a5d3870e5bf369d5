import { entryNote, loadNote, openSseClients, placeOrder, prepareSite, rssMb, stop } from './instances.ts';
import { median, percentile, type Row } from './lib.ts';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
/** Memory grows while caches fill and code compiles: growth is counted from the end of the warm-up. */
const WARM_UP_S = Math.min(120, Math.round(SECONDS / 5));
const CUSTOMERS = 40;
const STREAMS = 200;
const POLLERS = 10;
const POLL_PAUSE_MS = 100;
const ORDERERS = 2;
const ORDER_PAUSE_MS = 250;
const RSS_EVERY_MS = 10_000;

/**
 * A long mixed load on one real `otpbox start`: POLLERS clients polling orders (about 100 a second),
 * ORDERERS customers ordering (about 8 a second), each order's SMS delivered by the sandbox a second
 * later (its `sms.received`, `activation.updated` and `balance.updated` events reaching STREAMS live
 * streams of the same customers). Paced clients, not flat out: the point is whether memory and
 * latency hold still over time. RSS every 10 s; p99 of every request per minute.
 */
export async function soakBenchmark(): Promise<Row[]> {
  const site = await prepareSite(CUSTOMERS, 'otpbox_bench_soak');
  const server = await site.start({ SANDBOX_SMS_DELAY_MS: '1000' });
  const streams = openSseClients(
    server.url,
    site.customers.map((customer) => customer.key),
    STREAMS,
  );
  try {
    await streams.opened;
    const orders = await Promise.all(
      site.customers.map(async (customer) => ({ ...customer, id: await placeOrder(server.url, customer.key) })),
    );
    const started = performance.now();
    const end = started + SECONDS * 1000;
    const perMinute: number[][] = [];
    const rss: { at: number; mb: number }[] = [];
    let polls = 0;
    let placed = 0;
    const timed = async (request: () => Promise<Response>, expected: number) => {
      const t0 = performance.now();
      const response = await request();
      await response.arrayBuffer();
      if (response.status !== expected) throw new Error(`unexpected ${response.status} (wanted ${expected})`);
      const minute = Math.floor((t0 - started) / 60_000);
      perMinute[minute] ??= [];
      perMinute[minute].push(performance.now() - t0);
    };
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // The machine's load at the end of each minute, beside that minute's p99: other work on a shared
    // machine moves latency more than anything the server does.
    const loads: string[] = [];
    const sampler = setInterval(() => {
      const at = (performance.now() - started) / 1000;
      rss.push({ at, mb: rssMb(server.child.pid) });
      loads[Math.floor(at / 60) - (at % 60 < RSS_EVERY_MS / 1000 ? 1 : 0)] = loadNote();
    }, RSS_EVERY_MS);
    try {
      await Promise.all([
        ...Array.from({ length: POLLERS }, async (_, p) => {
          for (let i = p; performance.now() < end; i++) {
            const order = orders[i % orders.length] as (typeof orders)[number];
            await timed(
              () => fetch(`${server.url}/api/v1/activations/${order.id}`, { headers: { authorization: `Bearer ${order.key}` } }),
              200,
            );
            polls++;
            await pause(POLL_PAUSE_MS);
          }
        }),
        ...Array.from({ length: ORDERERS }, async (_, o) => {
          for (let i = o; performance.now() < end; i += ORDERERS) {
            const customer = site.customers[i % site.customers.length] as (typeof site.customers)[number];
            await timed(
              () =>
                fetch(`${server.url}/api/v1/activations`, {
                  method: 'POST',
                  headers: { authorization: `Bearer ${customer.key}`, 'content-type': 'application/json' },
                  body: JSON.stringify({ service: 'tg', country: 'ID' }),
                }),
              201,
            );
            placed++;
            await pause(ORDER_PAUSE_MS);
          }
        }),
      ]);
    } finally {
      clearInterval(sampler);
    }
    // Each order's SMS arrives a second after it: wait for the last ones before counting events.
    await pause(2_000);
    const { events, dropped } = await streams.events();

    const afterWarmUp = rss.filter((sample) => sample.at >= WARM_UP_S);
    const first = median(afterWarmUp.slice(0, 3).map((sample) => sample.mb));
    const last = median(afterWarmUp.slice(-3).map((sample) => sample.mb));
    const peak = Math.max(...afterWarmUp.map((sample) => sample.mb));
    const all = perMinute.flat();
    return [
      {
        name: `requests: ${polls} polls, ${placed} orders in ${SECONDS} s`,
        value: (polls + placed) / SECONDS,
        unit: 'req/s',
        note: `${site.engine}, ran ${entryNote()}; ${loadNote()}`,
      },
      { name: `events received by ${STREAMS} streams`, value: events, unit: 'events', note: `streams ended by the server: ${dropped}` },
      { name: `RSS after the warm-up (${WARM_UP_S} s), median of 3 samples`, value: first, unit: 'MB' },
      { name: 'RSS at the end, median of the last 3 samples', value: last, unit: 'MB', ratio: last / first, note: 'goal < 1.10×' },
      { name: 'RSS peak after the warm-up', value: peak, unit: 'MB', ratio: peak / first },
      { name: 'p50, all requests', value: percentile(all, 50), unit: 'ms' },
      { name: 'p99, all requests (baseline for the minutes)', value: percentile(all, 99), unit: 'ms', ratio: 1 },
      ...perMinute.map(
        (latencies, minute): Row => ({
          name: `p99, minute ${minute + 1} (${latencies.length} requests)`,
          value: percentile(latencies, 99),
          unit: 'ms',
          ratio: percentile(latencies, 99) / percentile(all, 99),
          note: loads[minute],
        }),
      ),
      {
        name: 'RSS samples (MB, every 10 s)',
        value: rss.length,
        unit: 'samples',
        note: rss.map((sample) => Math.round(sample.mb)).join(' '),
      },
    ];
  } finally {
    await streams.close();
    await stop(server);
    await site.remove();
  }
}
