import { CONTROL_IN_LINE_MESSAGE, isPlainLine, isStorableText, UNSTORABLE_TEXT_MESSAGE } from '../lib/text.ts';
import {
  createStaffAccount,
  findAccountByEmail,
  issueEnrolment,
  ROLES,
  type Role,
  setRole,
  suspendAccount,
  unsuspendAccount,
} from '../modules/accounts/index.ts';
import type { Ctx } from '../modules/context.ts';
import { type CommandContext, type CommandDefinition, type CommandIO, EXIT, readLines, UsageError } from './types.ts';

/** Domain context for a command: staff actions from the command line are attributed to `cli`. */
export const commandCtx = (ctx: CommandContext): Ctx => ({
  db: ctx.database.db,
  clock: ctx.clock,
  config: ctx.config,
  keys: ctx.keys,
  log: ctx.log,
  actor: 'cli',
});

export function requireString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${option} is required`);
  return value.trim();
}

async function readPassword(io: CommandIO): Promise<string> {
  const password = io.env.OTPBOX_PASSWORD || (await passwordFromStdin(io));
  if (!isStorableText(password)) throw new UsageError(`The password ${UNSTORABLE_TEXT_MESSAGE}.`);
  return password;
}

async function passwordFromStdin(io: CommandIO): Promise<string> {
  io.stderr('Reading the password from standard input (or set OTPBOX_PASSWORD)…\n');
  for await (const line of readLines(io.stdin)) return line;
  throw new UsageError('No password: set OTPBOX_PASSWORD or write it on standard input.');
}

export const adminCreateCommand: CommandDefinition = {
  path: ['admin', 'create'],
  summary: 'Create a staff account (password from OTPBOX_PASSWORD or standard input)',
  usage: 'otpbox admin create --email E [--role admin|support]',
  options: { email: { type: 'string' }, role: { type: 'string' } },
  env: ['OTPBOX_PASSWORD'],
  stdin: (env) => !env.OTPBOX_PASSWORD,
  async run(ctx, args, io) {
    const email = requireString(args.values.email, 'email');
    const role = (args.values.role ?? 'admin') as string;
    if (role !== 'admin' && role !== 'support') throw new UsageError('--role must be admin or support');
    const password = await readPassword(io);
    const { accountId } = await createStaffAccount(commandCtx(ctx), { email, password, role });
    const link = await issueEnrolment(commandCtx(ctx), accountId, { reset: false });
    io.stdout(`Created ${role} ${email.toLowerCase()} (${accountId}).\n`);
    io.stdout(enrolmentNotice(link));
    return EXIT.ok;
  },
};

const enrolmentNotice = (link: { url: string; expiresAt: Date }) =>
  `Two-factor enrolment (required before the account can act as staff), one use, until ${link.expiresAt.toISOString()}:\n  ${link.url}\n`;

export const adminEnrolCommand: CommandDefinition = {
  path: ['admin', 'enrol'],
  summary: 'Issue a new two-factor enrolment link for a staff account (lost phone): its factor is reset and its sessions end',
  usage: 'otpbox admin enrol --email E',
  options: { email: { type: 'string' } },
  async run(ctx, args, io) {
    const account = await findAccountByEmail(commandCtx(ctx), requireString(args.values.email, 'email'));
    const link = await issueEnrolment(commandCtx(ctx), account.id, { reset: true });
    io.stdout(`${account.email}: the second factor and recovery codes were removed and its sessions ended.\n`);
    io.stdout(enrolmentNotice(link));
    return EXIT.ok;
  },
};

export const adminRoleCommand: CommandDefinition = {
  path: ['admin', 'role'],
  summary: 'Change the role of an account',
  usage: `otpbox admin role --email E --role ${ROLES.join('|')}`,
  options: { email: { type: 'string' }, role: { type: 'string' } },
  async run(ctx, args, io) {
    const email = requireString(args.values.email, 'email');
    const role = requireString(args.values.role, 'role');
    if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const account = await findAccountByEmail(commandCtx(ctx), email);
    const change = await setRole(commandCtx(ctx), account.id, role as Role);
    io.stdout(
      change.from === change.to
        ? `${account.email} is already ${role}.\n`
        : `${account.email}: ${change.from} → ${change.to}; its sessions were ended.\n`,
    );
    return EXIT.ok;
  },
};

export const adminSuspendCommand: CommandDefinition = {
  path: ['admin', 'suspend'],
  summary: 'Suspend an account (its sessions end; every request is refused)',
  usage: 'otpbox admin suspend --email E --reason TEXT',
  options: { email: { type: 'string' }, reason: { type: 'string' } },
  async run(ctx, args, io) {
    const email = requireString(args.values.email, 'email');
    const reason = requireString(args.values.reason, 'reason');
    // Shown to staff and kept as the suspension's reason: one line, as the console's reasons.
    if (!isStorableText(reason) || !isPlainLine(reason)) throw new UsageError(`--reason ${CONTROL_IN_LINE_MESSAGE}`);
    const account = await findAccountByEmail(commandCtx(ctx), email);
    await suspendAccount(commandCtx(ctx), account.id, reason);
    io.stdout(`Suspended ${account.email} (${account.id}).\n`);
    return EXIT.ok;
  },
};

export const adminUnsuspendCommand: CommandDefinition = {
  path: ['admin', 'unsuspend'],
  summary: 'Lift the suspension of an account',
  usage: 'otpbox admin unsuspend --email E',
  options: { email: { type: 'string' } },
  async run(ctx, args, io) {
    const account = await findAccountByEmail(commandCtx(ctx), requireString(args.values.email, 'email'));
    await unsuspendAccount(commandCtx(ctx), account.id);
    io.stdout(`${account.email} is active again.\n`);
    return EXIT.ok;
  },
};
