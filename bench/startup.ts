import path from 'node:path';
import { BIN, median, printTable, ROOT, type Row, spawnUntilReady, stop, tempDir } from './lib.ts';

/**
 * Start-up and crash recovery of `otpbox start` on the embedded database, against a bare Fastify
 * process started the same way in the same run (the baseline: Node start-up + listen).
 */
export async function startupBenchmark(runs = 5): Promise<Row[]> {
  const baseline: number[] = [];
  for (let i = 0; i < runs; i++) {
    const bare = await spawnUntilReady([path.join(ROOT, 'bench/fixtures/bare-fastify.mjs')], {});
    baseline.push(bare.readyMs);
    await stop(bare);
  }
  const base = median(baseline);

  const cold: number[] = [];
  const warm: number[] = [];
  const afterCrash: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = await tempDir();
    try {
      const first = await spawnUntilReady([BIN, 'start'], { DATA_DIR: dir.path });
      cold.push(first.readyMs);
      await stop(first);
      const second = await spawnUntilReady([BIN, 'start'], { DATA_DIR: dir.path });
      warm.push(second.readyMs);
      await stop(second, 'SIGKILL');
      const third = await spawnUntilReady([BIN, 'start'], { DATA_DIR: dir.path });
      afterCrash.push(third.readyMs);
      await stop(third);
    } finally {
      await dir.remove();
    }
  }
  return [
    { name: 'bare Fastify process (baseline)', value: base, unit: 'ms', ratio: 1 },
    { name: 'cold start, empty DATA_DIR', value: median(cold), unit: 'ms', ratio: median(cold) / base, note: 'creates the database' },
    { name: 'start on an existing DATA_DIR', value: median(warm), unit: 'ms', ratio: median(warm) / base },
    { name: 'ready after kill -9', value: median(afterCrash), unit: 'ms', ratio: median(afterCrash) / base, note: 'goal < 5000 ms' },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(`start-up (median of 5, ${new Date().toISOString()})`, await startupBenchmark());
}
