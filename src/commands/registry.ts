import { parseArgs } from 'node:util';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '../lib/text.ts';
import { adminCreateCommand, adminEnrolCommand, adminRoleCommand, adminSuspendCommand, adminUnsuspendCommand } from './admin.ts';
import { catalogDisableCommand, catalogEnableCommand, catalogPriceCommand, catalogRulesCommand } from './catalog.ts';
import { gatewaysAddCommand, gatewaysListCommand, gatewaysNumbersCommand, gatewaysRemoveCommand } from './gateways.ts';
import { creditsGrantCommand, ledgerVerifyCommand } from './ledger.ts';
import { migrateCommand } from './migrate.ts';
import { numbersAddCommand, numbersListCommand, numbersRemoveCommand } from './numbers.ts';
import { numbersRentRateCommand } from './numbers-rent-rate.ts';
import { otpExtractCommand } from './otp-extract.ts';
import { packagesAddCommand, packagesDisableCommand, packagesListCommand } from './packages.ts';
import { paymentsListCommand, paymentsRefundCommand } from './payments.ts';
import {
  privacyRequestsCommand,
  privacyRequestsCompleteCommand,
  privacyRequestsLiftCommand,
  privacyRequestsRefuseCommand,
  privacyRequestsStartCommand,
} from './privacy-requests.ts';
import { privacyRetentionCommand } from './privacy-retention.ts';
import { providersAddCommand, providersListCommand, providersRemoveCommand, providersSetCommand } from './providers.ts';
import { type CommandDefinition, type ParsedArgs, UsageError } from './types.ts';

/**
 * Every `otpbox` subcommand except `start`. Each one runs against a CommandContext, so the same code
 * serves a direct run (PostgreSQL, or PGlite with no server) and a run relayed through the server.
 */
export const COMMANDS: CommandDefinition[] = [
  migrateCommand,
  adminCreateCommand,
  adminEnrolCommand,
  adminRoleCommand,
  adminSuspendCommand,
  adminUnsuspendCommand,
  otpExtractCommand,
  providersAddCommand,
  providersListCommand,
  providersRemoveCommand,
  providersSetCommand,
  gatewaysAddCommand,
  gatewaysListCommand,
  gatewaysRemoveCommand,
  gatewaysNumbersCommand,
  numbersAddCommand,
  numbersListCommand,
  numbersRemoveCommand,
  numbersRentRateCommand,
  catalogRulesCommand,
  catalogDisableCommand,
  catalogEnableCommand,
  catalogPriceCommand,
  creditsGrantCommand,
  ledgerVerifyCommand,
  packagesAddCommand,
  packagesListCommand,
  packagesDisableCommand,
  paymentsListCommand,
  paymentsRefundCommand,
  privacyRetentionCommand,
  privacyRequestsCommand,
  privacyRequestsStartCommand,
  privacyRequestsCompleteCommand,
  privacyRequestsRefuseCommand,
  privacyRequestsLiftCommand,
];

export function findCommand(argv: string[], commands = COMMANDS): { command: CommandDefinition; rest: string[] } | undefined {
  let best: { command: CommandDefinition; rest: string[] } | undefined;
  for (const command of commands) {
    const matches = command.path.every((word, i) => argv[i] === word);
    if (matches && (!best || command.path.length > best.command.path.length)) {
      best = { command, rest: argv.slice(command.path.length) };
    }
  }
  return best;
}

export function parseCommandArgs(command: CommandDefinition, rest: string[]): ParsedArgs {
  let parsed: ParsedArgs;
  try {
    const args = parseArgs({
      args: rest,
      options: command.options ?? {},
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    parsed = { values: args.values as ParsedArgs['values'], positionals: args.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  refuseUnstorableText(parsed);
  return parsed;
}

/**
 * Names, reasons and e-mail addresses end up in the database, which cannot store every string (see
 * lib/text.ts). A shell cannot pass a NUL, but a command relayed through the admin channel arrives as
 * JSON, which can: refuse it here, for every command, as bad usage.
 */
function refuseUnstorableText(args: ParsedArgs) {
  for (const [name, value] of Object.entries(args.values)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'string' && !isStorableText(item)) throw new UsageError(`--${name} ${UNSTORABLE_TEXT_MESSAGE}`);
    }
  }
  for (const positional of args.positionals) {
    if (!isStorableText(positional)) throw new UsageError(`Arguments ${UNSTORABLE_TEXT_MESSAGE}`);
  }
}
