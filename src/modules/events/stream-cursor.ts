import type { AccountEvent } from './emit.ts';

/** An account's event number `seq` exists; `event` is the event itself when it is known. */
export interface Offered {
  seq: number;
  event?: AccountEvent;
}

/**
 * Where one live stream stands in its account's numbered events (emit.ts: 1, 2, 3, … committed in
 * that order, without gaps), so that it sends every event exactly once and in order, whatever order
 * announcements arrive in and whichever of them were lost:
 *
 * - the next number, with its event: sent at once (the common case, no query);
 * - a number already sent: ignored (a repeat);
 * - a number beyond the next, or one announced without its event: everything after the last sent is
 *   read from the database (`read`), in order, then what arrived meanwhile is sent or read in turn.
 *
 * A read that fails ends the stream (`fail`): the client reconnects with `Last-Event-ID` and is
 * replayed from there, which loses nothing either.
 *
 * While the client is behind (`backlog` answers a promise: it has not taken what was written yet),
 * nothing is sent and no event is kept, only the newest number: once the client has caught up, the
 * rest is read from the database. A client that stops reading costs no memory here (ADR 45).
 */
export class StreamCursor {
  #lastSent: number;
  #wanted: number;
  #reading = false;
  #ended = false;
  readonly #early = new Map<number, AccountEvent>();

  constructor(
    lastSent: number,
    private readonly io: {
      read: (afterSeq: number) => Promise<AccountEvent[]>;
      send: (event: AccountEvent) => void;
      fail: (error: unknown) => void;
      /** Undefined while the client takes what is sent; else settles once it has (or the stream ended). */
      backlog?: () => Promise<void> | undefined;
    },
  ) {
    this.#lastSent = lastSent;
    this.#wanted = lastSent;
  }

  get lastSent(): number {
    return this.#lastSent;
  }

  offer({ seq, event }: Offered): void {
    if (this.#ended || seq <= this.#lastSent) return;
    const behind = this.#behind();
    if (!this.#reading && !behind && event && seq === this.#lastSent + 1) {
      this.#send(event);
      return;
    }
    if (seq > this.#wanted) this.#wanted = seq;
    if (event && !behind) this.#early.set(seq, event);
    if (!this.#reading) void this.#catchUp();
  }

  /** Stop: nothing is sent or read after this. */
  end(): void {
    this.#ended = true;
    this.#early.clear();
  }

  #behind(): boolean {
    return this.io.backlog?.() !== undefined;
  }

  #send(event: AccountEvent): void {
    this.#lastSent = event.seq;
    this.#early.delete(event.seq);
    this.io.send(event);
  }

  async #catchUp(): Promise<void> {
    this.#reading = true;
    try {
      while (!this.#ended && this.#wanted > this.#lastSent) {
        const backlog = this.io.backlog?.();
        if (backlog) {
          await backlog;
          continue;
        }
        for (let next = this.#early.get(this.#lastSent + 1); next && !this.#behind(); next = this.#early.get(this.#lastSent + 1))
          this.#send(next);
        if (this.#wanted <= this.#lastSent || this.#behind()) continue;
        const events = await this.io.read(this.#lastSent);
        if (this.#ended) return;
        // Rows can be missing only when they were purged (retention, erasure): go past them.
        if (events.length === 0) this.#lastSent = this.#wanted;
        for (const event of events) {
          // What the client could not take yet is read again once it has caught up.
          if (this.#behind()) break;
          if (event.seq > this.#lastSent) this.#send(event);
        }
      }
    } catch (error) {
      this.end();
      this.io.fail(error);
    } finally {
      this.#reading = false;
      for (const seq of this.#early.keys()) if (seq <= this.#lastSent) this.#early.delete(seq);
    }
  }
}
