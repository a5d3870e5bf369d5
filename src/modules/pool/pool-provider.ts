import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Executor } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import {
  type Balance,
  type BuyRequest,
  fail,
  type Offers,
  ok,
  type ProviderPort,
  type PurchasedNumber,
  type Result,
  type UpstreamActivation,
  type UpstreamStatus,
} from '../../provider-clients/port.ts';
import { endLease, leaseById, leaseForOrder, openOrderLeases } from './leases.ts';
import { poolOffers } from './sellable.ts';
import { POOL_CURRENCY, syncPoolStock } from './stock.ts';

export interface PoolProviderOptions {
  name: string;
  db: Executor;
  clock: Clock;
  config: Pick<Config, 'poolReuseDays' | 'poolCooldownMs'>;
  log: Logger;
}

/**
 * The operator's own numbers behind the provider port (kind `pool`), over the database. A sale is a
 * lease (its id is the order's `upstreamId`); SMS arrive through the gateways (`/webhooks/gateways/…`,
 * the inbound-sms module), so a status check never has messages. After a sale or the end of a lease
 * the pool's stock is written again for every instance's catalog, in the background: the buyer gets
 * the number without waiting for a write that reads the whole pool (40–120 ms at 10,000 numbers; ADR
 * 37 lets the catalog's counts lag a sale). At most one write runs at a time here; changes during one
 * are written by one more; `settled()` resolves when none is running or due.
 */
export class PoolProvider implements ProviderPort {
  readonly kind = 'pool' as const;
  readonly name: string;
  #syncing: Promise<void> | undefined;
  #again = false;

  constructor(private readonly options: PoolProviderOptions) {
    this.name = options.name;
  }

  async fetchOffers(): Promise<Result<Offers>> {
    const { db, config, clock } = this.options;
    return ok({ currency: POOL_CURRENCY, offers: await poolOffers(db, config, clock.now()) });
  }

  async buyNumber(request: BuyRequest): Promise<Result<PurchasedNumber>> {
    const { db, config, clock } = this.options;
    const sale = await leaseForOrder(db, config, clock.now(), request);
    if (!sale.ok) {
      if (sale.kind === 'price_above_max')
        return fail('price_above_max', 'every pool number for this service and country costs more than the limit', {
          minCost: sale.minCost,
        });
      return fail('no_numbers', 'no pool number is free for this service and country');
    }
    void this.#stockChanged();
    return ok({ upstreamId: sale.leaseId, phone: sale.number, cost: sale.cost });
  }

  async checkStatus(upstreamId: string): Promise<Result<UpstreamStatus>> {
    const lease = await leaseById(this.options.db, upstreamId);
    if (!lease) return fail('not_found', 'no such pool lease');
    if (!lease.endedAt) return ok({ state: lease.gotSms ? 'received' : 'waiting', sms: [] });
    return ok({ state: lease.gotSms ? 'finished' : 'cancelled', sms: [] });
  }

  async requestAnotherSms(): Promise<Result<void>> {
    // The number stays with the order: whatever the service sends next arrives by its gateway.
    return ok(undefined);
  }

  finish(upstreamId: string): Promise<Result<void>> {
    return this.#end(upstreamId);
  }

  cancel(upstreamId: string): Promise<Result<void>> {
    return this.#end(upstreamId);
  }

  async getBalance(): Promise<Result<Balance>> {
    // Own numbers cost nothing to hold here: no balance, never low (the row's threshold is 0).
    return ok({ currency: POOL_CURRENCY, amount: 0 });
  }

  async listActive(): Promise<Result<UpstreamActivation[]>> {
    const leases = await openOrderLeases(this.options.db);
    return ok(
      leases.map((lease) => ({
        upstreamId: lease.leaseId,
        service: lease.service ?? undefined,
        country: lease.country,
        phone: lease.number,
        createdAt: lease.startedAt,
      })),
    );
  }

  async #end(leaseId: string): Promise<Result<void>> {
    const { db, config, clock } = this.options;
    const ended = await endLease(db, config, clock.now(), leaseId);
    if (ended === 'not_found') return fail('not_found', 'no such pool lease');
    if (ended === 'ended') void this.#stockChanged();
    return ok(undefined);
  }

  /** Resolves when no stock write is running or due (the runtime awaits it before closing the database). */
  async settled(): Promise<void> {
    await this.#syncing;
  }

  /**
   * Write the stock again; calls during a write are folded into one more write after it. Never
   * rejects: a write that fails is logged, and the catalog-sync job writes the stock again.
   */
  #stockChanged(): Promise<void> {
    if (this.#syncing) {
      this.#again = true;
      return this.#syncing;
    }
    const run = async () => {
      do {
        this.#again = false;
        try {
          await syncPoolStock(this.options.db, this.options.config, this.options.clock.now());
        } catch (error) {
          // The sale or the end stands; the catalog-sync job writes the stock again.
          this.options.log.warn({ err: error }, 'could not update the pool’s stock');
        }
      } while (this.#again);
      // Cleared in the same step as the last check: a change that comes after it starts a new write.
      this.#syncing = undefined;
    };
    this.#syncing = run();
    return this.#syncing;
  }
}
