import type { Config } from '../config.ts';
import { purgeRetention, retentionTargets, summariseRetention } from '../modules/privacy/index.ts';
import type { JobContext, JobResult } from './scheduler.ts';

/**
 * Deletes rows, and empties columns, past the retention the data map declares for them, with the
 * periods in force (the RETENTION_* settings). The targets come from the same function the dry run
 * (`otpbox privacy retention --dry-run`) counts with. Each run records, and logs, how many rows it
 * deleted per table and emptied per table and columns.
 */
export async function purgeRetained(config: Config, { db, now, signal, log }: JobContext): Promise<JobResult> {
  const { counts, interrupted } = await purgeRetention(db, retentionTargets(config, now), signal);
  const summary = summariseRetention(counts);
  const result = interrupted ? { ...summary, interrupted: true } : summary;
  if (Object.keys(summary.purged).length > 0 || Object.keys(summary.cleared).length > 0 || interrupted) {
    log.info(result, 'retention purged expired data');
  }
  return result;
}
