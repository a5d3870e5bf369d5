import type { Executor } from '../../../db/client.ts';
import { type PrivacyRequestType, privacyRequests } from '../../../db/schema/index.ts';
import { newId } from '../../../lib/ids.ts';
import { DUE_AFTER_MS, type RequestRow } from './view.ts';

export interface FileInput {
  accountId: string;
  type: PrivacyRequestType;
  details?: string | null;
}

/** How the requester was checked: signed in (open at once), or by a link sent to the address (`unverified` until opened). */
export type Verification = { status: 'open'; verifiedAt: Date } | { status: 'unverified'; tokenHash: string; tokenExpiresAt: Date };

/**
 * A new request's row, in the caller's transaction: received now and due 30 days later (GDPR
 * Art. 12(3)), however it is verified. Undefined when the account has an open request of the type
 * already (the partial unique index: the caller words it).
 */
export async function insertRequest(
  db: Executor,
  now: Date,
  input: FileInput,
  verification: Verification,
): Promise<RequestRow | undefined> {
  const [row] = await db
    .insert(privacyRequests)
    .values({
      id: newId('prq', now.getTime()),
      accountId: input.accountId,
      type: input.type,
      details: input.details || null,
      filedAt: now,
      dueAt: new Date(now.getTime() + DUE_AFTER_MS),
      updatedAt: now,
      ...verification,
    })
    .onConflictDoNothing()
    .returning();
  return row;
}
