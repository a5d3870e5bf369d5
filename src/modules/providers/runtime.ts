import { and, eq, lt, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { catalogRules, providerOffers, providers } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { safeErrorMessage } from '../../lib/database-errors.ts';
import type { SecretKeys } from '../../lib/secrets.ts';
import type { BreakerSnapshot, BreakerState } from '../../provider-clients/breaker.ts';
import { GuardedProvider } from '../../provider-clients/guarded.ts';
import type { Offer, ProviderPort } from '../../provider-clients/port.ts';
import type { Metrics } from '../../runtime/metrics.ts';
import type { ProviderCatalog } from '../catalog/index.ts';
import { announceCatalogChange, type CatalogChange, CatalogRules, countryByCode, serviceByCode } from '../catalog/index.ts';
import { adapterFor, type ProviderRow } from './adapters.ts';
import { purgeDrainedProviders } from './remove-provider.ts';

const CIRCUIT_GAUGE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };
const OFFER_BATCH = 1_000;
/** The largest stock `provider_offers.count` (int4) holds. */
const MAX_STOCK_COUNT = 2_147_483_647;

export interface RuntimeDeps {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  keys: SecretKeys;
  catalog: ProviderCatalog;
  metrics?: Metrics;
}

interface Loaded {
  row: ProviderRow;
  port: GuardedProvider;
}

export interface SyncOutcome {
  provider: string;
  offers?: number;
  skipped?: number;
  balance?: number;
  error?: string;
}

/**
 * The upstream providers the operator configured, as live adapters behind their circuit breakers, and
 * the catalog they feed. Loaded from the database at start and again whenever any instance announces
 * a change (CATALOG_CHANNEL): `providers add` on one instance, or through the CLI, is selling on every
 * instance within moments, and a provider nobody has synced yet is synced at once.
 */
export class ProviderRuntime {
  readonly #loaded = new Map<string, Loaded>();
  readonly #syncing = new Map<string, Promise<SyncOutcome>>();
  /** The sandbox (when on): sells only while no upstream provider does, unless SANDBOX=on. */
  #sandbox: ProviderPort | undefined;
  #closed = false;
  /** When each provider last pushed an SMS to us: polling backs off further while pushes work. */
  readonly #pushes = new Map<string, number>();

  constructor(private readonly deps: RuntimeDeps) {}

  pushSeen(name: string, at: Date): void {
    this.#pushes.set(name, at.getTime());
  }

  /** Has this provider pushed an SMS within the last hour? */
  pushes(name: string): boolean {
    const at = this.#pushes.get(name);
    return at !== undefined && this.deps.clock.now().getTime() - at < 3_600_000;
  }

  /** Register the in-process sandbox; `auto` mode decides at each reload whether it sells. */
  attachSandbox(sandbox: ProviderPort): void {
    this.#sandbox = sandbox;
    this.deps.catalog.register(sandbox, { priority: 1_000, sells: true });
  }

  /** The upstream provider by name (selling or draining), behind its breaker. */
  port(name: string): GuardedProvider | undefined {
    return this.#loaded.get(name)?.port;
  }

  /** The push token hash of a provider, for `/webhooks/providers/{name}`. */
  row(name: string): ProviderRow | undefined {
    return this.#loaded.get(name)?.row;
  }

  get upstream(): Loaded[] {
    return [...this.#loaded.values()];
  }

  health(): { name: string; breaker: BreakerSnapshot }[] {
    return this.upstream.map(({ row, port }) => ({ name: row.name, breaker: port.breaker.snapshot() }));
  }

  async load(): Promise<void> {
    await this.reload('providers');
    await this.reload('offers');
    await this.reload('rules');
  }

  /** Read what changed back from the database into the catalog. */
  async reload(what: CatalogChange | '*'): Promise<void> {
    if (this.#closed) return;
    if (what === '*') return this.load();
    if (what === 'providers') await this.#reloadProviders();
    else if (what === 'offers') await this.#reloadOffers();
    else await this.#reloadRules();
  }

  async #reloadProviders(): Promise<void> {
    const { db, keys, config, catalog, log } = this.deps;
    const rows = await db.select().from(providers);
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.name);
      const current = this.#loaded.get(row.name);
      const terms = {
        priority: row.priority,
        markupBasisPoints: row.markupBasisPoints,
        feeCredits: row.feeCredits,
        creditsPerUnitMicros: row.creditsPerUnitMicros,
        sells: row.enabled && !row.removedAt,
      };
      if (
        current &&
        current.row.id === row.id &&
        current.row.apiKeyEncrypted === row.apiKeyEncrypted &&
        current.row.baseUrl === row.baseUrl
      ) {
        current.row = row;
        catalog.setTerms(row.name, terms);
        continue;
      }
      let adapter: ProviderPort;
      try {
        adapter = adapterFor(row, keys, config, { db, clock: this.deps.clock, log: this.deps.log });
      } catch (error) {
        // A key sealed under another SECRET_KEY, or a corrupt row: skip it loudly, keep the others.
        log.error({ provider: row.name, err: error }, 'cannot load this provider (was SECRET_KEY changed?); it is not used');
        continue;
      }
      const port = new GuardedProvider(adapter, this.deps.clock, {
        onCall: (provider, method, outcome, ms) => {
          this.deps.metrics?.providerCalls.inc({ provider, method, outcome });
          if (outcome !== 'circuit_open') this.deps.metrics?.providerCallDuration.observe({ provider, method }, ms / 1000);
        },
        onBreakerChange: (provider, state) => this.#onBreakerChange(provider, state),
      });
      this.#loaded.set(row.name, { row, port });
      catalog.upsert(port, terms);
      this.deps.metrics?.providerCircuit.set({ provider: row.name }, 0);
    }
    for (const name of [...this.#loaded.keys()]) {
      if (seen.has(name)) continue;
      const gone = this.#loaded.get(name)?.row;
      this.#loaded.delete(name);
      catalog.remove(name);
      if (gone) this.#forgetMetrics(gone);
    }
    if (this.#sandbox) {
      const sells = config.sandbox === 'on' || (config.sandbox === 'auto' && !catalog.sellsRealNumbers);
      catalog.setTerms(this.#sandbox.name, { sells });
    }
    // A provider never synced (just added, here or elsewhere) is synced now, not in five minutes.
    for (const { row } of this.#loaded.values()) {
      if (!row.syncedAt && !row.removedAt && !this.#syncing.has(row.name)) void this.sync(row.name, this.deps.clock.now());
    }
  }

  async #reloadOffers(): Promise<void> {
    const rows = await this.deps.db
      .select({
        providerId: providerOffers.providerId,
        service: providerOffers.service,
        country: providerOffers.country,
        cost: providerOffers.cost,
        count: providerOffers.count,
      })
      .from(providerOffers);
    const byProvider = new Map<string, Offer[]>();
    for (const row of rows) {
      const list = byProvider.get(row.providerId);
      const offer = { service: row.service, country: row.country, cost: row.cost, count: row.count };
      if (list) list.push(offer);
      else byProvider.set(row.providerId, [offer]);
    }
    for (const { row } of this.#loaded.values()) {
      const offers = byProvider.get(row.id) ?? [];
      this.deps.catalog.setOffers(row.name, { currency: row.currency, offers });
      this.deps.metrics?.providerOffers.set({ provider: row.name }, offers.length);
    }
  }

  async #reloadRules(): Promise<void> {
    const rows = await this.deps.db.select().from(catalogRules);
    this.deps.catalog.setRules(new CatalogRules(rows));
  }

  /** Sync every upstream provider that sells: offers and balance (the catalog-sync job). */
  async syncAll(now: Date): Promise<{ synced: SyncOutcome[]; purged: string[] }> {
    const synced: SyncOutcome[] = [];
    for (const { row } of this.upstream) if (!row.removedAt) synced.push(await this.sync(row.name, now));
    const purged = await purgeDrainedProviders({ ...this.deps, db: this.deps.db });
    return { synced, purged };
  }

  /** One provider's offers and balance, written for every instance to read. Concurrent calls share one run. */
  sync(name: string, now: Date): Promise<SyncOutcome> {
    const running = this.#syncing.get(name);
    if (running) return running;
    const run = this.#sync(name, now)
      .catch((error: unknown): SyncOutcome => {
        this.deps.log.error({ provider: name, err: error }, 'provider sync failed');
        return { provider: name, error: safeErrorMessage(error) };
      })
      .finally(() => this.#syncing.delete(name));
    this.#syncing.set(name, run);
    return run;
  }

  async #sync(name: string, now: Date): Promise<SyncOutcome> {
    const loaded = this.#loaded.get(name);
    if (!loaded || this.#closed) return { provider: name, error: 'not loaded' };
    const { row, port } = loaded;
    const { db, log, metrics } = this.deps;
    const outcome: SyncOutcome = { provider: name };

    const fetched = await port.fetchOffers();
    if (fetched.ok) {
      const known = fetched.value.offers.filter((offer) => serviceByCode(offer.service) && countryByCode(offer.country));
      outcome.offers = known.length;
      outcome.skipped = fetched.value.offers.length - known.length;
      if (fetched.value.currency !== row.currency)
        log.warn(
          { provider: name, quoted: fetched.value.currency, configured: row.currency },
          'provider quotes another currency than configured',
        );
      await transaction(db, async (tx) => {
        for (let i = 0; i < known.length; i += OFFER_BATCH) {
          const batch = known.slice(i, i + OFFER_BATCH);
          await tx
            .insert(providerOffers)
            // A stock past what the column holds (a hostile or broken `count: 1e15`) is plenty: capped, not a failed sync.
            .values(batch.map((offer) => ({ providerId: row.id, ...offer, count: Math.min(offer.count, MAX_STOCK_COUNT), syncedAt: now })))
            .onConflictDoUpdate({
              target: [providerOffers.providerId, providerOffers.service, providerOffers.country],
              set: { cost: sql`excluded.cost`, count: sql`excluded.count`, syncedAt: sql`excluded.synced_at` },
            });
        }
        // What the provider no longer lists is no longer sold.
        await tx.delete(providerOffers).where(and(eq(providerOffers.providerId, row.id), lt(providerOffers.syncedAt, now)));
        await tx
          .update(providers)
          .set({ syncedAt: now, health: port.breaker.state === 'closed' ? 'ok' : 'circuit_open' })
          .where(eq(providers.id, row.id));
        await announceCatalogChange(tx, 'offers');
      });
    } else {
      outcome.error = `${fetched.failure.kind}: ${fetched.failure.message}`;
      log.warn({ provider: name, failure: fetched.failure.kind, message: fetched.failure.message }, 'could not read provider offers');
      await db
        .update(providers)
        .set({
          // Never synced and failing: mark it tried, so the next attempt is the job's, not a loop.
          syncedAt: row.syncedAt ?? now,
          health: port.breaker.state === 'open' ? 'circuit_open' : 'failing',
          lastError: outcome.error.slice(0, 500),
          lastErrorAt: now,
        })
        .where(eq(providers.id, row.id));
    }

    // The pool (own numbers) has no balance to read or run low.
    const balance = row.kind === 'pool' ? undefined : await port.getBalance();
    if (!balance) return outcome;
    if (balance.ok) {
      outcome.balance = balance.value.amount;
      const low = balance.value.amount < row.lowBalanceMicros;
      metrics?.providerBalance.set({ provider: name, currency: balance.value.currency }, balance.value.amount / 1_000_000);
      metrics?.providerLowBalance.set({ provider: name }, low ? 1 : 0);
      if (low)
        log.warn(
          {
            provider: name,
            balance: balance.value.amount / 1_000_000,
            currency: balance.value.currency,
            threshold: row.lowBalanceMicros / 1_000_000,
          },
          'provider balance is low: top it up before orders start failing',
        );
      await db.update(providers).set({ balanceMicros: balance.value.amount, balanceAt: now }).where(eq(providers.id, row.id));
    } else if (fetched.ok) {
      log.warn({ provider: name, failure: balance.failure.kind }, 'could not read provider balance');
    }
    return outcome;
  }

  /** A provider gone from this instance leaves no gauges behind (its counters keep their history). */
  #forgetMetrics(row: ProviderRow): void {
    const metrics = this.deps.metrics;
    if (!metrics) return;
    const provider = row.name;
    metrics.providerCircuit.remove({ provider });
    metrics.providerOffers.remove({ provider });
    metrics.providerLowBalance.remove({ provider });
    metrics.providerBalance.remove({ provider, currency: row.currency });
  }

  #onBreakerChange(provider: string, state: BreakerState): void {
    this.deps.metrics?.providerCircuit.set({ provider }, CIRCUIT_GAUGE[state]);
    const loaded = this.#loaded.get(provider);
    if (!loaded || this.#closed) return;
    const snapshot = loaded.port.breaker.snapshot();
    if (state === 'open')
      this.deps.log.warn(
        { provider, until: snapshot.openUntil, lastFailure: snapshot.lastFailure },
        'provider circuit opened: orders go to other providers',
      );
    else this.deps.log.info({ provider, state }, 'provider circuit changed');
    const health = state === 'open' ? 'circuit_open' : state === 'closed' ? 'ok' : undefined;
    if (!health) return;
    const now = this.deps.clock.now();
    void this.deps.db
      .update(providers)
      .set(health === 'ok' ? { health } : { health, lastError: snapshot.lastFailure?.slice(0, 500) ?? null, lastErrorAt: now })
      .where(eq(providers.id, loaded.row.id))
      .catch((error: unknown) => this.deps.log.warn({ err: error, provider }, 'could not record provider health'));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#syncing.values(), ...[...this.#loaded.values()].map(({ port }) => port.settled?.())]);
  }
}
