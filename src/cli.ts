import pino from 'pino';
import { executeCommand } from './commands/execute.ts';
import { COMMANDS, findCommand, parseCommandArgs } from './commands/registry.ts';
import { EXIT, type PureCommandContext, UsageError } from './commands/types.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { type Database, DatabaseOpenError, openPglite, openPostgres } from './db/client.ts';
import { migrateDatabase, schemaIsCurrent } from './db/migrate.ts';
import { PgliteInitError } from './db/pglite-init.ts';
import { systemClock } from './lib/clock.ts';
import { createLogger } from './lib/logger.ts';
import { loadOrCreateSecret, SecretFileError, secretKeys } from './lib/secrets.ts';
import { commandContext, handleSignals, ListenError, startServer } from './main.ts';
import { sealExistingData } from './modules/keyring/index.ts';
import { connectAdminChannel, relayCommand } from './runtime/admin-channel.ts';
import { acquireDataDirLock, DataDirBusyError } from './runtime/data-dir-lock.ts';
import { checkSecretKey, SecretKeyMismatchError } from './runtime/instance-settings.ts';
import { DataDirPermissionError, loosenedWarning, makeDataDirPrivate, PRIVATE_UMASK } from './runtime/private-data-dir.ts';
import { StartupStepTimeoutError } from './runtime/startup-steps.ts';
import { VERSION } from './version.ts';

/** How long a command waits for a server that holds the data folder but is still starting. */
const WAIT_FOR_STARTING_SERVER_MS = 60_000;

export function helpText(): string {
  const entry = (usage: string, summary: string) => [`  ${usage}`, `      ${summary}`];
  const lines = [
    `otpbox ${VERSION} — virtual-number SMS verification service`,
    '',
    'Usage: otpbox <command> [options]',
    '',
    ...entry('otpbox start', 'Serve the API, the web app and background jobs'),
    ...COMMANDS.flatMap((c) => entry(c.usage, c.summary)),
    '',
    'Every command reads the same environment as the server (DATA_DIR, DATABASE_URL, …) and works',
    'whether or not the server is running. See README.md for the configuration.',
  ];
  return `${lines.join('\n')}\n`;
}

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [first] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    out(helpText());
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '--version' || first === '-v') {
    out(`${VERSION}\n`);
    return EXIT.ok;
  }

  if (first !== 'start') {
    // Reject unknown commands and bad options before touching any database.
    const found = findCommand(argv);
    if (!found) {
      err(`Unknown command: ${argv.join(' ')}\n\n${helpText()}`);
      return EXIT.usage;
    }
    try {
      parseCommandArgs(found.command, found.rest);
    } catch (error) {
      if (error instanceof UsageError) {
        err(`${error.message}\nUsage: ${found.command.usage}\n`);
        return EXIT.usage;
      }
      throw error;
    }
  }

  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      err(`${error.message}\n`);
      return EXIT.config;
    }
    throw error;
  }

  // Whatever a command or the server creates in DATA_DIR is its owner's only.
  process.umask(PRIVATE_UMASK);
  try {
    if (first === 'start') {
      if (argv.length > 1) {
        err(`otpbox start takes no arguments; configure it with environment variables (see README.md).\n`);
        return EXIT.usage;
      }
      const starting = startServer(config);
      handleSignals(starting, config.shutdownTimeoutMs);
      await starting;
      return -1; // keep running
    }
    return await runCommand(argv, config, env);
  } catch (error) {
    if (explainedToOperator(error)) {
      err(`${error.message}\n`);
      if (error instanceof DataDirBusyError || error instanceof ListenError) return EXIT.unavailable;
      return error instanceof SecretFileError || error instanceof SecretKeyMismatchError ? EXIT.config : EXIT.failure;
    }
    throw error;
  }
}

/** Failures whose message tells the operator what happened and what to do: no stack trace. */
function explainedToOperator(error: unknown): error is Error {
  return (
    error instanceof DataDirBusyError ||
    error instanceof DataDirPermissionError ||
    error instanceof DatabaseOpenError ||
    error instanceof PgliteInitError ||
    error instanceof SecretKeyMismatchError ||
    error instanceof SecretFileError ||
    error instanceof ListenError ||
    error instanceof StartupStepTimeoutError
  );
}

/**
 * Run a subcommand where the data lives: straight on PostgreSQL; with the embedded database, through
 * the running server when there is one, or by opening the data folder when there is none.
 */
async function runCommand(argv: string[], config: Config, env: NodeJS.ProcessEnv): Promise<number> {
  const found = findCommand(argv);
  if (!found) return EXIT.usage;
  const { command } = found;
  const forwardedEnv = Object.fromEntries((command.env ?? []).map((name) => [name, env[name]]));

  if (command.database === false) {
    const log = createLogger({ level: 'warn', version: VERSION, destination: pino.destination(2) });
    const ctx: PureCommandContext = { config, clock: systemClock, log, via: 'direct' };
    return executeCommand(argv, ctx, { stdin: textChunks(process.stdin), stdout: out, stderr: err, env });
  }

  if (config.databaseUrl) {
    return runDirect(argv, config, env, (log) =>
      openPostgres({ url: config.databaseUrl as string, poolMax: 2, timeoutMs: config.dbOpenTimeoutMs, log }),
    );
  }

  const deadline = Date.now() + WAIT_FOR_STARTING_SERVER_MS;
  for (;;) {
    const connection = await connectAdminChannel(config.dataDir);
    if (connection.status === 'connected') {
      const wantsStdin = typeof command.stdin === 'function' ? command.stdin(env) : Boolean(command.stdin);
      try {
        return await relayCommand(
          connection.socket,
          config.dataDir,
          { argv, env: forwardedEnv, stdin: wantsStdin ? process.stdin : undefined },
          { stdout: out, stderr: err },
        );
      } finally {
        // An unread terminal would keep the process alive after the command ended.
        if (wantsStdin) process.stdin.destroy();
      }
    }
    try {
      const lock = await acquireDataDirLock(config.dataDir);
      try {
        return await runDirect(argv, config, env, (log) => openPglite({ ownership: lock, timeoutMs: config.dbOpenTimeoutMs, log }));
      } finally {
        await lock.release();
      }
    } catch (error) {
      // The folder is owned but nobody answers yet: a server is starting. Wait for its channel.
      if (!(error instanceof DataDirBusyError) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function runDirect(
  argv: string[],
  config: Config,
  env: NodeJS.ProcessEnv,
  open: (log: pino.Logger) => Promise<Database>,
): Promise<number> {
  const verbose = config.logLevel === 'debug' || config.logLevel === 'trace';
  const log = createLogger({ level: verbose ? config.logLevel : 'warn', version: VERSION, destination: pino.destination(2) });
  const loosened = await makeDataDirPrivate(config.dataDir);
  if (loosened.length > 0)
    log.warn({ dataDir: config.dataDir, loosened: loosened.slice(0, 20) }, loosenedWarning(config.dataDir, loosened));
  const secret = await loadOrCreateSecret(config.dataDir, config.secretKey);
  const database = await open(log);
  try {
    if (findCommand(argv)?.command.path[0] !== 'migrate') await migrateDatabase(database);
    const keys = secretKeys(secret.secret);
    if (await schemaIsCurrent(database)) {
      await checkSecretKey(database.db, keys, systemClock);
      // As at start-up: values left in clear by a version before the keyring are sealed first (ADR 28).
      await sealExistingData({ db: database.db, clock: systemClock, config, keys, log });
    }
    const ctx = commandContext(config, database, systemClock, log, keys, 'direct');
    return await executeCommand(argv, ctx, { stdin: textChunks(process.stdin), stdout: out, stderr: err, env });
  } finally {
    await database.close();
  }
}

async function* textChunks(stream: NodeJS.ReadableStream): AsyncIterable<string> {
  for await (const chunk of stream) yield chunk.toString();
}
