import { and, eq, gt, inArray, ne } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Executor } from '../../db/client.ts';
import { poolServiceUses } from '../../db/schema/index.ts';
import { reuseCutoff } from './sellable.ts';

/**
 * Whether the number was sold for one of `services` within the reuse period before `at` through another
 * lease than `leaseId`: an SMS naming such a service is that buyer's code, which whoever holds the
 * number now for another service must not read (they could take over the account the number opened).
 */
export async function soldForAnotherOf(
  db: Executor,
  config: Pick<Config, 'poolReuseDays'>,
  input: { numberId: string; services: readonly string[]; at: Date; leaseId: string },
): Promise<boolean> {
  if (input.services.length === 0) return false;
  const [use] = await db
    .select({ service: poolServiceUses.service })
    .from(poolServiceUses)
    .where(
      and(
        eq(poolServiceUses.numberId, input.numberId),
        inArray(poolServiceUses.service, [...input.services]),
        gt(poolServiceUses.usedAt, reuseCutoff(config, input.at)),
        ne(poolServiceUses.leaseId, input.leaseId),
      ),
    )
    .limit(1);
  return use !== undefined;
}

/**
 * An SMS on the lease named other services than the one sold (`Telegram code: …` on a WhatsApp order):
 * the number is now used for those too, so that none of them is sold to someone else within the reuse
 * period (whoever read that code may have opened an account with it). Caller's transaction.
 */
export async function noteServicesNamed(
  db: Executor,
  input: { numberId: string; leaseId: string; services: readonly string[]; at: Date },
): Promise<void> {
  if (input.services.length === 0) return;
  await db
    .insert(poolServiceUses)
    .values(input.services.map((service) => ({ numberId: input.numberId, leaseId: input.leaseId, service, usedAt: input.at })))
    .onConflictDoNothing();
}
