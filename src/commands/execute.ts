import { safeErrorMessage } from '../lib/database-errors.ts';
import { isDomainError } from '../lib/errors.ts';
import { findCommand, parseCommandArgs } from './registry.ts';
import { type CommandContext, type CommandIO, EXIT, type PureCommandContext, UsageError } from './types.ts';

/** Run one `otpbox` subcommand against a context; used both in the CLI process and inside the server. */
export async function executeCommand(argv: string[], ctx: CommandContext | PureCommandContext, io: CommandIO): Promise<number> {
  const found = findCommand(argv);
  if (!found) {
    io.stderr(`Unknown command: ${argv.join(' ') || '(none)'}. Run \`otpbox help\` for the list.\n`);
    return EXIT.usage;
  }
  const { command, rest } = found;
  try {
    const args = parseCommandArgs(command, rest);
    const env = Object.fromEntries((command.env ?? []).map((name) => [name, io.env[name]]));
    if (command.database === false) return await command.run(ctx, args, { ...io, env });
    // The CLI opens a database for every command that does not declare `database: false`.
    if (!('database' in ctx)) throw new Error(`${command.path.join(' ')} needs the database, and none was opened`);
    return await command.run(ctx, args, { ...io, env });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\nUsage: ${command.usage}\n`);
      return EXIT.usage;
    }
    if (isDomainError(error)) {
      // A value the command cannot accept is bad usage too (sysexits EX_USAGE), whichever layer found it.
      if (error.code === 'VALIDATION_FAILED') {
        io.stderr(`${error.message}\nUsage: ${command.usage}\n`);
        return EXIT.usage;
      }
      io.stderr(`Error (${error.code}): ${error.message}\n`);
      return EXIT.failure;
    }
    ctx.log.error({ err: error, command: command.path.join(' ') }, 'command failed');
    // A database error's own message quotes the statement and its parameters (lib/database-errors.ts).
    io.stderr(`Internal error: ${safeErrorMessage(error)}\n`);
    return EXIT.failure;
  }
}
