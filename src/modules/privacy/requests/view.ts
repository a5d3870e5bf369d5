import type { privacyRequests } from '../../../db/schema/index.ts';
import type { PrivacyRequestView, QueuedPrivacyRequestView } from './schemas.ts';
import { isOpen } from './states.ts';

export type RequestRow = typeof privacyRequests.$inferSelect;

const DAY_MS = 86_400_000;
/** Every request is due this long after it was received (GDPR Art. 12(3): one month; we promise 30 days). */
export const DUE_AFTER_MS = 30 * DAY_MS;

/** Whole days left until `dueAt`: 30 at filing, 0 on the due day's last stretch, negative once overdue. */
export const daysLeft = (dueAt: Date, now: Date): number => Math.ceil((dueAt.getTime() - now.getTime()) / DAY_MS);

export function toRequestView(row: RequestRow, now: Date): PrivacyRequestView {
  return {
    id: row.id,
    type: row.type,
    details: row.details,
    status: row.status,
    filedAt: row.filedAt,
    dueAt: row.dueAt,
    daysLeft: row.resolvedAt ? 0 : daysLeft(row.dueAt, now),
    resolvedAt: row.resolvedAt,
    resolution: row.resolution,
  };
}

export function toQueuedView(row: RequestRow, processingRestricted: boolean, now: Date): QueuedPrivacyRequestView {
  const left = daysLeft(row.dueAt, now);
  return {
    id: row.id,
    accountId: row.accountId,
    type: row.type,
    details: row.details,
    status: row.status,
    filedAt: row.filedAt,
    dueAt: row.dueAt,
    daysLeft: left,
    overdue: isOpen(row.status) && row.dueAt.getTime() < now.getTime(),
    handledBy: row.handledBy,
    processingRestricted,
  };
}
