import { spawn } from 'node:child_process';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../../test/support/spawn.ts';
import { StartupStepTimeoutError, startupSteps } from '../startup-steps.ts';
import type { Watchdog } from '../startup-watchdog.ts';

/** A watchdog that only records what it was asked (the real one kills the process). */
function recordingWatchdog() {
  const calls: string[] = [];
  const watchdog: Watchdog = {
    arm: (afterMs) => calls.push(`arm ${afterMs}`),
    disarm: () => calls.push('disarm'),
    stop: async () => {
      calls.push('stop');
    },
  };
  return { watchdog, calls };
}

function capturedLog() {
  const lines: { level: number; msg: string; step?: string }[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('start-up steps', () => {
  it('run in turn, each logged as it begins: at info for the slow ones, at debug for the others', async () => {
    const { log, lines } = capturedLog();
    const { watchdog, calls } = recordingWatchdog();
    const steps = startupSteps({ timeoutMs: 60_000, log, watchdog });
    expect(await steps.run('data-dir lock', () => 'locked')).toBe('locked');
    expect(await steps.run('open database', async () => 'opened')).toBe('opened');
    await steps.finish();
    const begun = lines.filter((line) => !line.msg.endsWith('finished')).map((line) => [line.level, line.msg]);
    expect(begun).toEqual([
      [20, 'start-up: data-dir lock'],
      [30, 'start-up: open database'],
    ]);
    // The watchdog waits longer than the step's own bound, and is disarmed after each step.
    expect(calls).toEqual(['arm 65000', 'disarm', 'arm 65000', 'disarm', 'stop']);
  });

  it('fail a step that never finishes, naming it and how long it waited', async () => {
    const { log } = capturedLog();
    const { watchdog, calls } = recordingWatchdog();
    const steps = startupSteps({ timeoutMs: 50, log, watchdog });
    const failure = await steps.run('migrate', () => new Promise<never>(() => {})).catch((error: StartupStepTimeoutError) => error);
    expect(failure).toBeInstanceOf(StartupStepTimeoutError);
    expect(failure).toMatchObject({ step: 'migrate', waitedMs: 50 });
    expect(failure.message).toMatch(/^otpbox did not start: the step "migrate" did not finish within 50 ms \(DB_OPEN_TIMEOUT_MS\)\./);
    expect(calls).toEqual(['arm 5050', 'disarm']);
  });

  it('pass on the failure of a step as it is', async () => {
    const { log } = capturedLog();
    const steps = startupSteps({ timeoutMs: 60_000, log, watchdog: recordingWatchdog().watchdog });
    await expect(steps.run('listen', () => Promise.reject(new Error('EADDRINUSE')))).rejects.toThrow('EADDRINUSE');
  });

  it('end a process whose main thread a step blocks for good, naming the step (the watchdog thread)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/blocked-start.ts', '1000'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.on('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
    );
    expect(stdout).toBe('blocking\n'); // it did reach the step that blocks
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });
    expect(stderr).toContain('otpbox did not start: the step "open database" did not finish within 1000 ms (DB_OPEN_TIMEOUT_MS).');
    expect(stderr).toContain('killed by its watchdog after 6000 ms');
  }, 60_000);
});
