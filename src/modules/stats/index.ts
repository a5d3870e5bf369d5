/**
 * The business figures of the operator console (ADR 33): the overview read from the rollups that
 * migration 0021's triggers keep, their rebuild and compaction, and the background jobs' recent runs.
 *
 * The module's public surface: code outside src/modules/stats/ imports only this file.
 */

export { COMPACT_AFTER_MS, compactStats } from './compact.ts';
export { percentile, TTC_BUCKET_STARTS_S, timeToCode, ttcBucket } from './histogram.ts';
export { type JobSchedule, listJobRuns } from './job-runs.ts';
export { MAX_BUCKETS, type OverviewRange, readOverview } from './read-overview.ts';
export { GRANULARITIES, type Granularity, JobList, type JobListView, Overview, type OverviewView } from './schemas.ts';
