import type { ActivationRow, SmsRow } from '../modules/activations/index.ts';

export interface CachedOrder {
  row: ActivationRow;
  sms: SmsRow[];
  /** The order as the API shows it, serialised once, when it does not depend on the time of asking. */
  json?: string;
}

/**
 * Orders as last read, so a client polling one order many times a second is answered from memory.
 * Every change drops the order (announced locally before commit, and by NOTIFY from any instance after
 * commit); entries also expire after `ttlMs`, so a lost announcement costs at most that much staleness.
 */
export class OrderCache {
  readonly #entries = new Map<string, CachedOrder & { expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 20_000,
  ) {}

  get(id: string): CachedOrder | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry;
  }

  set(row: ActivationRow, sms: SmsRow[]): void {
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(row.id, { row, sms, expiresAt: this.now() + this.ttlMs });
  }

  drop(id: string): void {
    this.#entries.delete(id);
  }

  /** Drop every order of an account (`'*'`: everything). */
  dropAccount(accountId: string): void {
    if (accountId === '*') this.#entries.clear();
    else for (const [id, entry] of this.#entries) if (entry.row.accountId === accountId) this.#entries.delete(id);
  }
}
