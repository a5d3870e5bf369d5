import { createHash, randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Executor } from '../../db/client.ts';
import { auditLog, providerOffers, providers } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { newId } from '../../lib/ids.ts';
import { seal } from '../../lib/sealed.ts';
import { announceCatalogChange } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import { poolOffers } from './sellable.ts';

/** The provider the pool sells as: one row in `providers`, so it has priority, markup and fee like any other. */
export const POOL_PROVIDER = 'pool';
/** The pool's amounts are micro-units of this currency (`numbers add --cost`). */
export const POOL_CURRENCY = 'USD';
/** Serialises the pool's stock writes (any instance, any process). */
export const STOCK_LOCK = 0x706f6f6c;

/**
 * The provider row `pool` (kind `pool`), made by the first `otpbox gateways add` when absent. A pool
 * removed with `providers remove pool` stays removed until its orders drained and the row is purged.
 */
export async function ensurePoolProvider(ctx: Ctx, tx: Executor, now: Date): Promise<boolean> {
  const [existing] = await tx.select({ id: providers.id }).from(providers).where(eq(providers.name, POOL_PROVIDER));
  if (existing) return false;
  const id = newId('prv', now.getTime());
  await tx.insert(providers).values({
    id,
    name: POOL_PROVIDER,
    kind: 'pool',
    baseUrl: 'pool://own-numbers',
    // The pool has no credential; the column holds a sealed empty value so that every row is alike.
    apiKeyEncrypted: seal(ctx.keys, 'provider-credentials', id, ''),
    currency: POOL_CURRENCY,
    priority: 100,
    markupBasisPoints: 0,
    feeCredits: 0,
    enabled: true,
    // Nothing pushes to `/webhooks/providers/pool`: a hash of a secret nobody knows.
    pushTokenHash: createHash('sha256').update(randomBytes(32)).digest('hex'),
    // No balance to run low.
    lowBalanceMicros: 0,
    createdAt: now,
    updatedAt: now,
  });
  await tx.insert(auditLog).values({
    id: newId('aud', now.getTime()),
    actor: ctx.actor ?? 'cli',
    action: 'provider.add',
    details: { providerId: id, name: POOL_PROVIDER, kind: 'pool', currency: POOL_CURRENCY },
    occurredAt: now,
  });
  await announceCatalogChange(tx, 'providers');
  return true;
}

/**
 * Write the pool's offers for every instance's catalog (the catalog-sync job does the same through
 * `PoolProvider.fetchOffers`), and announce them: run in the transaction of a change to the numbers
 * or gateways, or after a sale or the end of a lease. Answers the number of offers, or undefined
 * when there is no pool provider.
 */
export async function syncPoolStock(db: Executor, config: Pick<Config, 'poolReuseDays'>, now: Date): Promise<number | undefined> {
  return transaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${STOCK_LOCK})`);
    const [row] = await tx
      .select({ id: providers.id })
      .from(providers)
      .where(and(eq(providers.name, POOL_PROVIDER), eq(providers.kind, 'pool')));
    if (!row) return undefined;
    const offers = await poolOffers(tx, config, now);
    await tx.delete(providerOffers).where(eq(providerOffers.providerId, row.id));
    for (let i = 0; i < offers.length; i += 1_000)
      await tx.insert(providerOffers).values(offers.slice(i, i + 1_000).map((offer) => ({ providerId: row.id, ...offer, syncedAt: now })));
    await tx.update(providers).set({ syncedAt: now, health: 'ok' }).where(eq(providers.id, row.id));
    await announceCatalogChange(tx, 'offers');
    return offers.length;
  });
}
