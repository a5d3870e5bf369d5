import pino from 'pino';
import { executeCommand } from '../../src/commands/execute.ts';
import type { CommandContext, PureCommandContext } from '../../src/commands/types.ts';
import type { TestApp } from './app.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The context `otpbox` runs in against a test app's database, as an operator's shell on the same host (`direct`). */
export const commandContextOf = (t: Pick<TestApp, 'config' | 'database' | 'clock' | 'keys'>): CommandContext => ({
  config: t.config,
  database: t.database,
  clock: t.clock,
  log: pino({ level: 'silent' }),
  keys: t.keys,
  via: 'direct',
});

/** Run `otpbox ARGV` in this process: its exit code and what it printed. `stdin`: one chunk of input; `env`: the shell's. */
export async function runOtpbox(
  ctx: CommandContext | PureCommandContext,
  argv: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await executeCommand(argv, ctx, {
    stdin: (async function* () {
      if (options.stdin) yield options.stdin;
    })(),
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: options.env ?? {},
  });
  return { code, stdout, stderr };
}

/**
 * `otpbox(...argv)` against a test app made in `beforeAll`: the app is asked for when the command runs,
 * so the helper can be made at the top of a test file.
 */
export const otpboxOf =
  (app: () => Pick<TestApp, 'config' | 'database' | 'clock' | 'keys'>) =>
  (...argv: string[]): Promise<CliRun> =>
    runOtpbox(commandContextOf(app()), argv);
