import type { Logger } from 'pino';
import { startWatchdog, type Watchdog } from './startup-watchdog.ts';

/**
 * Start-up as named steps, each bounded by DB_OPEN_TIMEOUT_MS: a start either finishes or fails
 * naming the step that did not finish, never hangs in silence. Each step is logged as it begins
 * (at info for the ones that take seconds, at debug for the others), so the last line of a stuck
 * start says where it is.
 *
 * Two bounds: a timer on the main thread rejects a step that waits (a promise that never settles), and
 * a watchdog thread kills a process whose main thread is blocked by a synchronous call, where no
 * timer of its own can fire. The watchdog waits a little longer, so the orderly failure comes first.
 */
export const STARTUP_STEPS = [
  'data-dir lock',
  'data folder',
  'secret key',
  'initialise database',
  'open database',
  'migrate',
  'check secret key',
  'seal personal data',
  'hash rented numbers',
  'privacy policy',
  'payment processors',
  'order services',
  'shared rate limits',
  'build app',
  'admin channel',
  'listen',
  'scheduler',
  'gateway links',
] as const;
export type StartupStep = (typeof STARTUP_STEPS)[number];

/** Steps that take seconds: logged at info as they begin. */
const SLOW_STEPS: ReadonlySet<StartupStep> = new Set(['initialise database', 'open database', 'migrate']);
/** How much longer than a step's bound the watchdog waits before it kills a blocked process. */
const WATCHDOG_GRACE_MS = 5000;

export class StartupStepTimeoutError extends Error {
  override name = 'StartupStepTimeoutError';
  constructor(
    readonly step: StartupStep,
    readonly waitedMs: number,
  ) {
    super(stepTimeoutMessage(step, waitedMs));
  }
}

export function stepTimeoutMessage(step: StartupStep, waitedMs: number): string {
  return (
    `otpbox did not start: the step "${step}" did not finish within ${waitedMs} ms (DB_OPEN_TIMEOUT_MS). ` +
    'On a slow or busy machine, raise DB_OPEN_TIMEOUT_MS; LOG_LEVEL=debug logs every step as it begins.'
  );
}

export interface StartupSteps {
  /** Run one step; rejects with StartupStepTimeoutError when it takes longer than the bound. */
  run<T>(step: StartupStep, work: () => Promise<T> | T): Promise<T>;
  /** Start-up is over (finished or failed): stop the watchdog. */
  finish(): Promise<void>;
}

export function startupSteps(options: { timeoutMs: number; log: Logger; watchdog?: Watchdog }): StartupSteps {
  const { timeoutMs, log } = options;
  const watchdog = options.watchdog ?? startWatchdog();
  return {
    run: async (step, work) => {
      const level = SLOW_STEPS.has(step) ? 'info' : 'debug';
      log[level]({ step }, `start-up: ${step}`);
      const started = performance.now();
      watchdog.arm(
        timeoutMs + WATCHDOG_GRACE_MS,
        `${stepTimeoutMessage(step, timeoutMs)} The process was blocked and stopped answering: killed by its watchdog after ${timeoutMs + WATCHDOG_GRACE_MS} ms.`,
      );
      let timer: NodeJS.Timeout | undefined;
      try {
        const result = await Promise.race([
          Promise.resolve().then(work),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new StartupStepTimeoutError(step, timeoutMs)), timeoutMs);
          }),
        ]);
        log.debug({ step, ms: Math.round(performance.now() - started) }, `start-up: ${step} finished`);
        return result;
      } finally {
        clearTimeout(timer);
        watchdog.disarm();
      }
    },
    finish: () => watchdog.stop(),
  };
}
