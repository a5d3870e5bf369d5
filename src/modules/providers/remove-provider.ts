import { eq, isNotNull } from 'drizzle-orm';
import { auditLog, providers } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { announceCatalogChange } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import { openWork } from './add-provider.ts';

export interface RemovedProvider {
  name: string;
  /** Orders it sold that are still open, and calls still owed to it: they go on until they end. */
  draining: number;
  /** Deleted now (nothing open), or kept until its open orders end. */
  deleted: boolean;
}

/**
 * Stop selling a provider's numbers at once. Orders it already sold go on (their codes, finish and
 * cancel still reach it); the row and its sealed key are deleted as soon as none is open.
 */
export async function removeProvider(ctx: Ctx, name: string, reason?: string): Promise<RemovedProvider> {
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const [row] = await tx.select().from(providers).where(eq(providers.name, name)).for('update');
    if (!row || row.removedAt) throw new DomainError('NOT_FOUND', `There is no provider named "${name}" (see otpbox providers list).`);
    const draining = await openWork(tx, name);
    if (draining === 0) await tx.delete(providers).where(eq(providers.id, row.id));
    else await tx.update(providers).set({ removedAt: now, enabled: false, updatedAt: now }).where(eq(providers.id, row.id));
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: ctx.actor ?? 'cli',
      action: 'provider.remove',
      details: { providerId: row.id, name, draining, ...(reason ? { reason } : {}) },
      occurredAt: now,
    });
    await announceCatalogChange(tx, 'providers');
    return { name, draining, deleted: draining === 0 };
  });
}

/** Delete removed providers whose last open order has ended (run by the catalog-sync job). */
export async function purgeDrainedProviders(ctx: Ctx): Promise<string[]> {
  const removed = await ctx.db.select({ id: providers.id, name: providers.name }).from(providers).where(isNotNull(providers.removedAt));
  const purged: string[] = [];
  for (const row of removed) {
    const gone = await transaction(ctx.db, async (tx) => {
      const [current] = await tx.select().from(providers).where(eq(providers.id, row.id)).for('update');
      if (!current?.removedAt || (await openWork(tx, row.name)) > 0) return false;
      await tx.delete(providers).where(eq(providers.id, row.id));
      await announceCatalogChange(tx, 'providers');
      return true;
    });
    if (gone) purged.push(row.name);
  }
  return purged;
}
