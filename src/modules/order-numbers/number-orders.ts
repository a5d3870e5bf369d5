import { eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { orderNumbers } from '../../db/schema/index.ts';

/**
 * The numeric ids of these orders, given to those that have none yet (ADR 29): one insert that keeps
 * the numbers already given (the unique activation id), then a read of those it kept. An order
 * numbered twice at once gets one number either way.
 */
export async function numberOrders(db: Executor, activationIds: readonly string[], now: Date): Promise<Map<string, number>> {
  const numbers = new Map<string, number>();
  if (activationIds.length === 0) return numbers;
  const unique = [...new Set(activationIds)];
  const given = await db
    .insert(orderNumbers)
    .values(unique.map((activationId) => ({ activationId, createdAt: now })))
    .onConflictDoNothing({ target: orderNumbers.activationId })
    .returning({ activationId: orderNumbers.activationId, number: orderNumbers.number });
  for (const row of given) numbers.set(row.activationId, row.number);
  const rest = unique.filter((id) => !numbers.has(id));
  if (rest.length > 0) {
    const kept = await db
      .select({ activationId: orderNumbers.activationId, number: orderNumbers.number })
      .from(orderNumbers)
      .where(inArray(orderNumbers.activationId, rest));
    for (const row of kept) numbers.set(row.activationId, row.number);
  }
  return numbers;
}

/** The order a numeric id names, or undefined (never given, or its order is gone). */
export async function orderOfNumber(db: Executor, number: number): Promise<string | undefined> {
  const [row] = await db.select({ activationId: orderNumbers.activationId }).from(orderNumbers).where(eq(orderNumbers.number, number));
  return row?.activationId;
}
