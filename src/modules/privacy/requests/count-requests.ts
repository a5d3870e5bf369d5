import { and, count, inArray, lt } from 'drizzle-orm';
import type { Executor } from '../../../db/client.ts';
import { type PrivacyRequestType, privacyRequests } from '../../../db/schema/index.ts';
import { OPEN_STATUSES } from './states.ts';

export interface RequestCounts {
  type: PrivacyRequestType;
  open: number;
  overdue: number;
}

/** Requests waiting on staff, and those of them past their due date, by type (for /metrics). */
export async function countOpenRequests(db: Executor, now: Date): Promise<RequestCounts[]> {
  const waiting = inArray(privacyRequests.status, [...OPEN_STATUSES]);
  const open = await db
    .select({ type: privacyRequests.type, n: count() })
    .from(privacyRequests)
    .where(waiting)
    .groupBy(privacyRequests.type);
  const overdue = await db
    .select({ type: privacyRequests.type, n: count() })
    .from(privacyRequests)
    .where(and(waiting, lt(privacyRequests.dueAt, now)))
    .groupBy(privacyRequests.type);
  const types = [...new Set([...open, ...overdue].map((row) => row.type))].sort();
  return types.map((type) => ({
    type,
    open: Number(open.find((row) => row.type === type)?.n ?? 0),
    overdue: Number(overdue.find((row) => row.type === type)?.n ?? 0),
  }));
}
