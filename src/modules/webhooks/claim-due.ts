import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { accounts, webhookDeliveries, webhookEndpoints } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import type { EndpointRow } from './view.ts';

export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export interface Claimed {
  delivery: DeliveryRow;
  /** Undefined when deleted meanwhile. */
  endpoint: EndpointRow | undefined;
  /** The endpoint's account is suspended: nothing is sent to it. */
  accountSuspended: boolean;
  /** The account's processing is restricted (ADR 25): its deliveries are held, not sent, until lifted. */
  processingRestricted: boolean;
}

/**
 * Claim up to `limit` due deliveries in a short transaction: FOR UPDATE SKIP LOCKED, so concurrent
 * runs (on any instance) take different rows, then a lease (`next_attempt_at` moved past the time the
 * batch can take), so a committed claim stays invisible to other runs while it is being sent. A run
 * that dies leaves its rows to be claimed again when the lease ends.
 */
export async function claimDueDeliveries(db: Executor, now: Date, limit: number, leaseMs: number): Promise<Claimed[]> {
  return transaction(db, async (tx) => {
    const due = await tx
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now)))
      .orderBy(asc(webhookDeliveries.nextAttemptAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (due.length === 0) return [];
    await tx
      .update(webhookDeliveries)
      .set({ nextAttemptAt: new Date(now.getTime() + leaseMs) })
      .where(
        inArray(
          webhookDeliveries.id,
          due.map((delivery) => delivery.id),
        ),
      );
    const endpoints = await tx
      .select({ endpoint: webhookEndpoints, accountStatus: accounts.status, restrictedAt: accounts.processingRestrictedAt })
      .from(webhookEndpoints)
      .innerJoin(accounts, eq(accounts.id, webhookEndpoints.accountId))
      .where(inArray(webhookEndpoints.id, [...new Set(due.map((delivery) => delivery.endpointId))]));
    return due.map((delivery) => {
      const found = endpoints.find(({ endpoint }) => endpoint.id === delivery.endpointId);
      return {
        delivery,
        endpoint: found?.endpoint,
        accountSuspended: found?.accountStatus === 'suspended',
        processingRestricted: (found?.restrictedAt ?? null) !== null,
      };
    });
  });
}
