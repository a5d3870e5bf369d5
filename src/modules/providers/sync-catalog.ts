import type { ProviderCatalog } from '../catalog/index.ts';
import type { ProviderRuntime } from './runtime.ts';

/**
 * Catalog sync: every upstream provider's prices, stock and balance (written for all instances), the
 * in-process sandbox's offers, and removed providers whose last order ended are deleted.
 */
export async function syncCatalog(providers: ProviderRuntime, catalog: ProviderCatalog, now: Date) {
  const upstream = await providers.syncAll(now);
  const local = await catalog.refresh(now);
  return {
    synced: upstream.synced.map((s) => ({ provider: s.provider, offers: s.offers, error: s.error })),
    purged: upstream.purged,
    sandboxOffers: local.offers,
  };
}
