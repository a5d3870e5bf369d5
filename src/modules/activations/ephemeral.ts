/**
 * SMS text in `ephemeral` storage (P4): never written to the database; held here, in this process,
 * for the live stream and the customer's webhooks, until the order ends (plus a short grace for a
 * reconnecting client) — then forgotten. With several instances, only the one that received the SMS
 * knows its text; the others deliver the code (which is stored) without it.
 */
export class EphemeralTexts {
  readonly #texts = new Map<string, { texts: Map<string, string>; forgetAt: number | undefined }>();

  constructor(private readonly graceMs = 60_000) {}

  remember(activationId: string, smsId: string, text: string): void {
    let entry = this.#texts.get(activationId);
    if (!entry) {
      entry = { texts: new Map(), forgetAt: undefined };
      this.#texts.set(activationId, entry);
    }
    entry.texts.set(smsId, text);
  }

  text(activationId: string, smsId: string, nowMs: number): string | undefined {
    const entry = this.#texts.get(activationId);
    if (!entry) return undefined;
    if (entry.forgetAt !== undefined && nowMs >= entry.forgetAt) {
      this.#texts.delete(activationId);
      return undefined;
    }
    return entry.texts.get(smsId);
  }

  /** The order ended: keep its texts a little longer for a reconnecting client, then drop them. */
  orderEnded(activationId: string, nowMs: number): void {
    const entry = this.#texts.get(activationId);
    if (entry) entry.forgetAt = nowMs + this.graceMs;
    this.sweep(nowMs);
  }

  sweep(nowMs: number): void {
    for (const [id, entry] of this.#texts) if (entry.forgetAt !== undefined && nowMs >= entry.forgetAt) this.#texts.delete(id);
  }

  get size(): number {
    return this.#texts.size;
  }
}
