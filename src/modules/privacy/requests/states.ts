import { DomainError } from '../../../lib/errors.ts';

/**
 * A rights request's state machine: its statuses, which of them wait on staff, and every move between
 * them with who may make it. Each transition checks this table (`checkTransition`) before it writes;
 * the partial unique index `privacy_requests_one_open_key` spells the open set in SQL.
 *
 *   unverified ─(the e-mailed link opened)─► open ─(staff start)─► in_progress ─► completed | refused
 *                                             │ └──────────────(staff)─────────────► completed | refused
 *                                             └──(customer withdraws; also from in_progress)─► withdrawn
 *   The account deleted (erasure): every request still waiting closes with it — an erasure request
 *   completed (the erasure is under way), any other withdrawn (nobody is left to answer).
 */
export const REQUEST_STATUSES = ['unverified', 'open', 'in_progress', 'completed', 'refused', 'withdrawn'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Waiting on staff: counted in the queue, the metrics and the one-per-type rule. */
export const OPEN_STATUSES = ['open', 'in_progress'] as const satisfies readonly RequestStatus[];

export type Mover = 'customer' | 'staff' | 'link' | 'erasure';

export const TRANSITIONS = {
  unverified: { open: ['link'], withdrawn: ['erasure'] },
  open: { in_progress: ['staff'], completed: ['staff', 'erasure'], refused: ['staff'], withdrawn: ['customer', 'erasure'] },
  in_progress: { completed: ['staff', 'erasure'], refused: ['staff'], withdrawn: ['customer', 'erasure'] },
  completed: {},
  refused: {},
  withdrawn: {},
} as const satisfies Record<RequestStatus, Partial<Record<RequestStatus, readonly Mover[]>>>;

export const isOpen = (status: RequestStatus): boolean => (OPEN_STATUSES as readonly RequestStatus[]).includes(status);

export function canMove(from: RequestStatus, to: RequestStatus, by: Mover): boolean {
  const allowed = (TRANSITIONS[from] as Partial<Record<RequestStatus, readonly Mover[]>>)[to];
  return allowed?.includes(by) ?? false;
}

/** Refuse a move the table does not allow, saying where the request stands. */
export function checkTransition(id: string, from: RequestStatus, to: RequestStatus, by: Mover): void {
  if (!canMove(from, to, by)) {
    throw new DomainError('CONFLICT', `The request ${id} is ${from.replace('_', ' ')}: it cannot become ${to.replace('_', ' ')} now.`, {
      status: from,
    });
  }
}
