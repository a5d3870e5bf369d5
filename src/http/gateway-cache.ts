import { type GatewayRow, seenRecently } from '../modules/pool/index.ts';

/** A webhook gateway as a delivery needs it: its row and its secret, opened. */
export interface CachedGateway {
  readonly row: GatewayRow;
  readonly secret: string;
}

/** How long a gateway read for a delivery is trusted (ADR 47): a change is announced and ends it sooner. */
export const GATEWAY_CACHE_TTL_MS = 1_000;

/**
 * The webhook gateways and their opened secrets, remembered for GATEWAY_CACHE_TTL_MS so that a busy
 * gateway's deliveries do not each read its row and open its secret (ADR 47). A gateway added or
 * removed is forgotten at once on this instance and, through the NOTIFY of GATEWAY_CHANNEL, on the
 * others; whatever an announcement missed, an entry ends with its TTL, so a removed gateway's key
 * (or the key it had before it was connected again) stops working within a second everywhere.
 * Only gateways found are kept (a name nobody uses costs its lookup, as before, and a gateway just
 * added is heard at once). The secrets stay in this process's memory; nothing here logs them.
 */
export class GatewayCache {
  readonly #entries = new Map<string, { gateway: CachedGateway; expiresAt: number }>();
  /** Bumped by every `forget`: a lookup that began before one does not keep what it read. */
  #generation = 0;

  /**
   * @param ttlMs how long an entry is trusted, in real time (a safety net for a lost announcement)
   * @param now real time in milliseconds (tests pass their own)
   */
  constructor(
    private readonly ttlMs: number = GATEWAY_CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The gateway named `name`: remembered, or `load`ed (and remembered when found). */
  async get(name: string, load: () => Promise<CachedGateway | undefined>): Promise<CachedGateway | undefined> {
    const entry = this.#entries.get(name);
    if (entry && entry.expiresAt > this.now()) return entry.gateway;
    if (entry) this.#entries.delete(name);
    const generation = this.#generation;
    const gateway = await load();
    if (gateway && generation === this.#generation) this.#entries.set(name, { gateway, expiresAt: this.now() + this.ttlMs });
    return gateway;
  }

  /**
   * A delivery of the gateway was accepted at `at`: when the entry did not say it was seen recently,
   * `gatewaySeen` has just written `up` and last seen `at`, and the entry says so too (so the next
   * deliveries need not write it again). An entry that did is left as it is: its last-seen time is
   * what the row holds, and moves on only when the row is written again.
   */
  seen(name: string, at: Date): void {
    const entry = this.#entries.get(name);
    if (!entry || seenRecently(entry.gateway.row, at)) return;
    entry.gateway = { ...entry.gateway, row: { ...entry.gateway.row, state: 'up', lastSeenAt: at } };
  }

  /** Forget a gateway (`'*'`: every gateway). */
  forget(name: string): void {
    this.#generation++;
    if (name === '*') this.#entries.clear();
    else this.#entries.delete(name);
  }

  get size(): number {
    return this.#entries.size;
  }
}
