import type { ParseArgsConfig } from 'node:util';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { SecretKeys } from '../lib/secrets.ts';

/** What every command may use, a pure one (`database: false`) included. */
export interface PureCommandContext {
  config: Config;
  clock: Clock;
  log: Logger;
  /** Where the command runs: in its own process, or relayed into the running server. */
  via: 'direct' | 'server';
}

/** What a command may use. The same whether it runs in the CLI process or inside the running server. */
export interface CommandContext extends PureCommandContext {
  database: Database;
  keys: SecretKeys;
}

export interface CommandIO {
  /** Standard input as text chunks (only for commands that declare `stdin: true`); see `readLines`. */
  stdin: AsyncIterable<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** The environment variables a command declared in `env`, as the caller's shell had them. */
  env: Record<string, string | undefined>;
}

export type ParsedArgs = { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] };

interface CommandBase {
  /** Words that select the command: `['credits', 'grant']`. */
  path: string[];
  summary: string;
  usage: string;
  options?: ParseArgsConfig['options'];
  allowPositionals?: boolean;
  /** Read standard input and pass it along (also through the server channel); a function decides from the caller's environment. */
  stdin?: boolean | ((env: Record<string, string | undefined>) => boolean);
  /** Caller's environment variables the command needs (e.g. OTPBOX_PASSWORD). */
  env?: string[];
}

/** A command that works on the database. */
export interface DatabaseCommand extends CommandBase {
  database?: undefined;
  run(ctx: CommandContext, args: ParsedArgs, io: CommandIO): Promise<number>;
}

/** A pure command (e.g. otp-extract): it runs in the CLI process without opening any database. */
export interface PureCommand extends CommandBase {
  database: false;
  run(ctx: PureCommandContext, args: ParsedArgs, io: CommandIO): Promise<number>;
}

export type CommandDefinition = DatabaseCommand | PureCommand;

/** Thrown for bad arguments: the CLI prints the message and the usage, and exits 64 (EX_USAGE). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT = { ok: 0, failure: 1, usage: 64, unavailable: 69, noPermission: 77, config: 78 } as const;

/** Split a stream of text chunks into lines (without their line endings). */
export async function* readLines(chunks: AsyncIterable<string>): AsyncIterable<string> {
  let buffer = '';
  for await (const chunk of chunks) {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      yield buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
    }
  }
  if (buffer.length > 0) yield buffer.replace(/\r$/, '');
}
