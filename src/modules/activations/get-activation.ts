import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { activations } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import type { ActivationRow } from './view.ts';

/** One of the account's orders; NOT_FOUND for another's, and for one still being bought. */
export async function getActivation(db: Executor, accountId: string, id: string): Promise<ActivationRow> {
  const [row] = await db
    .select()
    .from(activations)
    .where(and(eq(activations.id, id), eq(activations.accountId, accountId)));
  if (!row || row.status === 'requesting') throw new DomainError('NOT_FOUND', 'No such activation.');
  return row;
}
