import { sql } from 'drizzle-orm';
import { AUTH_CHANNEL } from '../../db/channels.ts';
import type { Executor } from '../../db/client.ts';
import { afterCommit } from '../../db/tx.ts';

/**
 * Credentials are cached for a few seconds (see http/credential-cache.ts), and the profile GET
 * /api/v1/me shows (http/me-cache.ts). Whatever ends or changes an account's access or profile — a
 * revoked key or session, a suspension, a role change, a verified address, an accepted policy — calls
 * this in its transaction: this process forgets the account at once and again once the transaction
 * has committed (a read between the two may have seen the old rows), and every instance does when
 * the NOTIFY is delivered at commit.
 */
type Listener = (accountId: string) => void;
const local = new Set<Listener>();

export function onLocalAuthChange(listener: Listener): () => void {
  local.add(listener);
  return () => local.delete(listener);
}

export async function announceAuthChange(db: Executor, accountId: string): Promise<void> {
  for (const listener of local) listener(accountId);
  afterCommit(db, () => {
    for (const listener of local) listener(accountId);
  });
  await db.execute(sql`select pg_notify(${AUTH_CHANNEL}, ${accountId})`);
}
