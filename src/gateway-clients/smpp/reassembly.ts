import type { Concatenation } from './decode.ts';

/**
 * Reassembly of concatenated SMS (UDH IEI 0x00 / 0x08, or the SAR TLVs), pure: time is passed in.
 *
 * Parts are grouped on (source, destination, reference, total) and joined as raw bytes in sequence
 * order, to be decoded once. A group not complete within `timeoutMs` of its first part is given up
 * (nothing is delivered; `expired` counts it). A part seen again is a duplicate; so is a part of a
 * message delivered within the last `timeoutMs` when its bytes are the same (a redelivery of a part
 * whose answer was lost), while different bytes under the same reference start a new message (a
 * sender that reuses its references).
 *
 * The completing part is handed out once (`complete`); the group then waits for the link to say how
 * its delivery went: `delivered` forgets it, `failed` drops that part only, so that the SMSC's
 * redelivery of it completes the message again. Parts of a group being delivered are `busy`.
 */

export interface Part {
  source: string;
  destination: string;
  dataCoding: number;
  body: Uint8Array;
  concatenation: Concatenation;
}

export type AddResult =
  | { kind: 'stored' }
  | { kind: 'duplicate' }
  | { kind: 'busy' }
  | { kind: 'complete'; key: string; seq: number; source: string; destination: string; dataCoding: number; bytes: Buffer };

interface Group {
  firstAt: number;
  total: number;
  dataCoding: number;
  parts: Map<number, Buffer>;
  delivering: boolean;
}

export interface ReassemblerOptions {
  /** Give up on a message this long after its first part. */
  timeoutMs: number;
  /** At most this many incomplete messages; the oldest is given up beyond it. Default 10 000. */
  maxGroups?: number;
}

export class Reassembler {
  readonly #timeoutMs: number;
  readonly #maxGroups: number;
  readonly #groups = new Map<string, Group>();
  readonly #recent = new Map<string, { until: number; parts: Map<number, Buffer> }>();
  #expired = 0;

  constructor(options: ReassemblerOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#maxGroups = options.maxGroups ?? 10_000;
  }

  /** Messages given up (timed out or evicted) since this reassembler was made. */
  get expired(): number {
    return this.#expired;
  }

  /** Incomplete messages held now. */
  get pending(): number {
    return this.#groups.size;
  }

  add(part: Part, now: number): AddResult {
    this.sweep(now);
    const { ref, total, seq } = part.concatenation;
    const key = `${part.source}\u0000${part.destination}\u0000${ref}\u0000${total}`;
    const bytes = Buffer.from(part.body);
    let group = this.#groups.get(key);
    if (!group) {
      const recent = this.#recent.get(key);
      if (recent?.parts.get(seq)?.equals(bytes)) return { kind: 'duplicate' };
      if (this.#groups.size >= this.#maxGroups) this.#evictOldest();
      group = { firstAt: now, total, dataCoding: part.dataCoding, parts: new Map(), delivering: false };
      this.#groups.set(key, group);
    }
    if (group.delivering) return { kind: 'busy' };
    if (group.parts.has(seq)) return { kind: 'duplicate' };
    group.parts.set(seq, bytes);
    if (group.parts.size < total) return { kind: 'stored' };
    group.delivering = true;
    const ordered: Buffer[] = [];
    for (let i = 1; i <= total; i++) ordered.push(group.parts.get(i) ?? Buffer.alloc(0));
    return {
      kind: 'complete',
      key,
      seq,
      source: part.source,
      destination: part.destination,
      dataCoding: group.dataCoding,
      bytes: Buffer.concat(ordered),
    };
  }

  /** The completed message was taken: forget it, remembering its parts a while to spot redeliveries. */
  delivered(key: string, now: number): void {
    const group = this.#groups.get(key);
    if (!group) return;
    this.#groups.delete(key);
    this.#recent.set(key, { until: now + this.#timeoutMs, parts: group.parts });
  }

  /** The completed message was refused: drop the completing part, keep the others for its redelivery. */
  failed(key: string, seq: number): void {
    const group = this.#groups.get(key);
    if (!group) return;
    group.parts.delete(seq);
    group.delivering = false;
  }

  /** Give up on the messages older than the timeout; answers how many. */
  sweep(now: number): number {
    let given = 0;
    for (const [key, group] of this.#groups) {
      if (!group.delivering && now - group.firstAt >= this.#timeoutMs) {
        this.#groups.delete(key);
        given++;
      }
    }
    for (const [key, recent] of this.#recent) if (recent.until <= now) this.#recent.delete(key);
    this.#expired += given;
    return given;
  }

  #evictOldest(): void {
    for (const [key, group] of this.#groups) {
      if (group.delivering) continue;
      this.#groups.delete(key); // Map order is insertion order: the first is the oldest
      this.#expired++;
      return;
    }
  }
}
