import { Worker } from 'node:worker_threads';

/**
 * The last resort of a start-up that does not finish. It counts in a thread of its own because a
 * step can block the main thread outright: PGlite runs Postgres synchronously, and while it does no
 * timer of the main thread fires, nothing is logged and even SIGTERM waits. When a step overruns its
 * bound, the watchdog writes which one to standard error and kills the process (SIGKILL: the only
 * way out of a blocked thread; the kernel releases the data-folder lock).
 *
 * The thread's code is a string, not a module: it must load without tsx, from the sources and from
 * dist/ alike, and it needs nothing but Node.
 */
const WATCHDOG_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { writeSync } = require('node:fs');
let timer;
parentPort.on('message', (armed) => {
  clearTimeout(timer);
  if (!armed) return;
  timer = setTimeout(() => {
    writeSync(2, armed.message + '\\n');
    process.kill(process.pid, 'SIGKILL');
  }, armed.afterMs);
});
`;

export interface Watchdog {
  /** Kill the process, after writing `message`, unless `arm` or `disarm` is called within `afterMs`. */
  arm(afterMs: number, message: string): void;
  disarm(): void;
  /** End the thread (start-up finished or failed by itself). */
  stop(): Promise<void>;
}

export function startWatchdog(): Watchdog {
  const worker = new Worker(WATCHDOG_SOURCE, { eval: true });
  // It must never keep the process alive, nor take it down by failing itself.
  worker.unref();
  worker.on('error', () => {});
  return {
    arm: (afterMs, message) => worker.postMessage({ afterMs, message }),
    disarm: () => worker.postMessage(null),
    stop: async () => {
      await worker.terminate();
    },
  };
}
