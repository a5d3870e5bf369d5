import { CONTROL_IN_PROSE_MESSAGE, isPlainProse, isStorableText } from '../lib/text.ts';
import { endAllAccess, setProcessingRestriction } from '../modules/accounts/index.ts';
import {
  liftProcessingRestriction,
  listRequestQueue,
  moveRequest,
  type RequestRow,
  type StaffMove,
  toQueuedView,
} from '../modules/privacy/index.ts';
import { commandCtx, requireString } from './admin.ts';
import { formatTable } from './table.ts';
import { type CommandContext, type CommandDefinition, EXIT, type ParsedArgs, UsageError } from './types.ts';

/** The queue of rights requests (P11) and the staff verbs that move them (ADR 25). */

const MAX_NOTE = 2000;
const deps = { setProcessingRestriction, endAccess: endAllAccess };

export const privacyRequestsCommand: CommandDefinition = {
  path: ['privacy', 'requests'],
  summary: 'The rights requests waiting on staff, overdue first, then by due date, with the days left',
  usage: 'otpbox privacy requests [--json]',
  options: { json: { type: 'boolean' } },
  async run(ctx, args, io) {
    const now = ctx.clock.now();
    const queue = (await listRequestQueue(ctx.database.db)).map(({ row, processingRestricted }) =>
      toQueuedView(row, processingRestricted, now),
    );
    if (args.values.json) {
      io.stdout(`${JSON.stringify(queue, null, 2)}\n`);
      return EXIT.ok;
    }
    if (queue.length === 0) {
      io.stdout('No rights requests are waiting.\n');
      return EXIT.ok;
    }
    const table = [
      ['ID', 'TYPE', 'STATUS', 'FILED', 'DUE', 'DAYS LEFT', 'ACCOUNT'],
      ...queue.map((r) => [
        r.id,
        r.type,
        r.status,
        r.filedAt.toISOString().slice(0, 10),
        r.dueAt.toISOString().slice(0, 10),
        r.overdue ? `OVERDUE (${-r.daysLeft} days)` : String(r.daysLeft),
        r.accountId + (r.processingRestricted ? ' (restricted)' : ''),
      ]),
    ];
    io.stdout(formatTable(table));
    const overdue = queue.filter((r) => r.overdue).length;
    io.stdout(`${queue.length} waiting${overdue > 0 ? `, ${overdue} overdue: answer them first` : ''}.\n`);
    return EXIT.ok;
  },
};

function oneId(args: ParsedArgs): string {
  const [id, extra] = args.positionals;
  if (!id || extra !== undefined) throw new UsageError('name exactly one request id (prq_…)');
  return id;
}

function text(args: ParsedArgs, option: 'note' | 'reason'): string {
  const value = requireString(args.values[option], option);
  if (value.length < 3 || value.length > MAX_NOTE) throw new UsageError(`--${option} must be 3 to ${MAX_NOTE} characters`);
  // The customer reads it, as the API's notes: the same rule (lib/text.ts).
  if (!isStorableText(value) || !isPlainProse(value)) throw new UsageError(`--${option} ${CONTROL_IN_PROSE_MESSAGE}`);
  return value;
}

const describeMove = (row: RequestRow) => `${row.id} (${row.type}) is now ${row.status.replace('_', ' ')}`;

async function move(ctx: CommandContext, id: string, to: StaffMove, io: { stdout(text: string): void }) {
  const row = await moveRequest(commandCtx(ctx), deps, id, to);
  io.stdout(`${describeMove(row)}.\n`);
  return EXIT.ok;
}

export const privacyRequestsStartCommand: CommandDefinition = {
  path: ['privacy', 'requests', 'start'],
  summary: 'Mark a rights request as being worked on',
  usage: 'otpbox privacy requests start ID',
  allowPositionals: true,
  run: (ctx, args, io) => move(ctx, oneId(args), { to: 'in_progress' }, io),
};

export const privacyRequestsCompleteCommand: CommandDefinition = {
  path: ['privacy', 'requests', 'complete'],
  summary: 'Complete a rights request; the note is shown to the customer (a restriction restricts processing)',
  usage: 'otpbox privacy requests complete ID --note TEXT',
  options: { note: { type: 'string' } },
  allowPositionals: true,
  run: (ctx, args, io) => move(ctx, oneId(args), { to: 'completed', note: text(args, 'note') }, io),
};

export const privacyRequestsRefuseCommand: CommandDefinition = {
  path: ['privacy', 'requests', 'refuse'],
  summary: 'Refuse a rights request; the reason is shown to the customer',
  usage: 'otpbox privacy requests refuse ID --reason TEXT',
  options: { reason: { type: 'string' } },
  allowPositionals: true,
  run: (ctx, args, io) => move(ctx, oneId(args), { to: 'refused', reason: text(args, 'reason') }, io),
};

export const privacyRequestsLiftCommand: CommandDefinition = {
  path: ['privacy', 'requests', 'lift'],
  summary: 'Lift the processing restriction a completed request put on the account: orders and webhooks resume',
  usage: 'otpbox privacy requests lift ID --reason TEXT',
  options: { reason: { type: 'string' } },
  allowPositionals: true,
  async run(ctx, args, io) {
    const id = oneId(args);
    const { accountId } = await liftProcessingRestriction(commandCtx(ctx), deps, id, text(args, 'reason'));
    io.stdout(`Processing of ${accountId} is no longer restricted (${id}).\n`);
    return EXIT.ok;
  },
};
