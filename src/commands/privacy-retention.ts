import { countRetention, purgeRetention, retentionTargets, summariseRetention, type TargetCount } from '../modules/privacy/index.ts';
import { formatTable } from './table.ts';
import { type CommandDefinition, EXIT, UsageError } from './types.ts';

/**
 * `otpbox privacy retention --dry-run` counts what the next retention run would delete or empty;
 * `--now` runs it at once. Both take their targets from `retentionTargets`, as the hourly job does,
 * so what the dry run shows is what the job does. Without either flag the command refuses: purging
 * is never what a bare command does by accident.
 */
export const privacyRetentionCommand: CommandDefinition = {
  path: ['privacy', 'retention'],
  summary: 'What retention would delete now (--dry-run), or run it at once (--now)',
  usage: 'otpbox privacy retention --dry-run [--json] | otpbox privacy retention --now [--json]',
  options: { 'dry-run': { type: 'boolean' }, now: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(ctx, args, io) {
    const dryRun = args.values['dry-run'] === true;
    const runNow = args.values.now === true;
    if (dryRun === runNow) throw new UsageError('Say --dry-run to see what the next run would delete, or --now to run it.');
    const at = ctx.clock.now();
    const targets = retentionTargets(ctx.config, at);
    const counts = dryRun
      ? await countRetention(ctx.database.db, targets)
      : (await purgeRetention(ctx.database.db, targets, new AbortController().signal)).counts;
    if (!dryRun) ctx.log.info({ ...summariseRetention(counts), via: ctx.via }, 'retention run from the command line');
    if (args.values.json) {
      io.stdout(`${JSON.stringify(retentionReport(counts, at, dryRun), null, 2)}\n`);
      return EXIT.ok;
    }
    io.stdout(describeRetention(counts, at, dryRun));
    return EXIT.ok;
  },
};

/** The run as `--json` prints it: every target, due or not, and the totals the job records. */
export function retentionReport(counts: readonly TargetCount[], at: Date, dryRun: boolean) {
  return {
    at: at.toISOString(),
    dryRun,
    targets: counts.map(({ target, rows, dependents }) => ({
      table: target.table,
      action: target.action,
      columns: target.columns,
      after: target.after,
      cutoff: target.cutoff.toISOString(),
      days: target.days,
      setting: target.setting ?? null,
      rows,
      dependents,
    })),
    ...summariseRetention(counts),
  };
}

const day = (date: Date) => date.toISOString().slice(0, 10);
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The run as an operator reads it: one line per target, what goes along with a row under it, the totals. */
export function describeRetention(counts: readonly TargetCount[], at: Date, dryRun: boolean): string {
  const rows: string[][] = [['TABLE', 'ACTION', 'ROWS', 'DUE WHEN', 'PERIOD']];
  for (const { target, rows: count, dependents } of counts) {
    rows.push([
      target.table,
      target.action === 'delete' ? 'delete' : `empty ${target.columns.join(', ')}`,
      String(count),
      `${target.after} before ${day(target.cutoff)}`,
      `${plural(target.days, 'day')}${target.setting ? ` (${target.setting})` : ''}`,
    ]);
    for (const dependent of dependents) {
      rows.push([`  ${dependent.table}`, `delete with their ${target.table} row`, String(dependent.rows), '', '']);
    }
  }
  const { purged, cleared } = summariseRetention(counts);
  const deleted = Object.values(purged).reduce((sum, n) => sum + n, 0);
  const emptied = Object.values(cleared).reduce((sum, n) => sum + n, 0);
  const when = at.toISOString().replace('T', ' ').slice(0, 16);
  const head = dryRun
    ? `Retention dry run at ${when} UTC (nothing was changed): the next run would delete ${plural(deleted, 'row')} and empty columns of ${plural(emptied, 'row')}.\n`
    : `Retention run at ${when} UTC: deleted ${plural(deleted, 'row')} and emptied columns of ${plural(emptied, 'row')}.\n`;
  return `${head}${formatTable(rows)}`;
}
