// The orders on screen and how they change: live events first (the code is shown from the event
// itself, before any request), then a re-read of the order for the rest (the full text, timestamps).

import type { api } from '../lib/api.ts';
import type { LiveState } from '../lib/sse.ts';
import { type Activation, type Balances, isOpen, type Sms } from '../lib/types.ts';

export interface OrdersSnapshot {
  /** Open orders and those that ended while this page was open, newest first. */
  orders: readonly Activation[];
  loaded: boolean;
  live: LiveState;
}

export interface OrderStoreDeps {
  request: typeof api;
  onBalance: (balance: Balances) => void;
  /** A new SMS with a code arrived on an order on screen. */
  onCode: (order: Activation, sms: Sms) => void;
}

interface SmsEvent {
  activationId: string;
  smsId: string;
  code: string | null;
  late: boolean;
  /** Came after an unpaid end: no code, no text (older servers do not send it). */
  withheld?: boolean;
  receivedAt: string;
  text?: string;
}

export class OrderStore {
  #snapshot: OrdersSnapshot = { orders: [], loaded: false, live: 'connecting' };
  #listeners = new Set<() => void>();
  #dismissed = new Set<string>();

  constructor(private readonly deps: OrderStoreDeps) {}

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  snapshot = (): OrdersSnapshot => this.#snapshot;

  #set(change: Partial<OrdersSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...change };
    for (const listener of this.#listeners) listener();
  }

  setLive(live: LiveState): void {
    if (live !== this.#snapshot.live) this.#set({ live });
  }

  find(id: string): Activation | undefined {
    return this.#snapshot.orders.find((o) => o.id === id);
  }

  /** Put an order on screen or update it; new codes are announced unless this is the first load. */
  upsert(next: Activation, announce = true): void {
    if (this.#dismissed.has(next.id)) return;
    const previous = this.find(next.id);
    const merged = previous ? mergeOrder(previous, next) : next;
    if (announce && previous) {
      for (const sms of merged.sms) {
        if (sms.code && !sms.late && !previous.sms.some((s) => s.id === sms.id)) this.deps.onCode(merged, sms);
      }
    }
    const orders = [merged, ...this.#snapshot.orders.filter((o) => o.id !== next.id)].sort((a, b) => (a.id < b.id ? 1 : -1));
    this.#set({ orders });
  }

  /** Read the open orders (at start and after every reconnection: events may have been missed). */
  async load(): Promise<void> {
    const { activations } = await this.deps.request<{ activations: Activation[] }>('/activations?status=waiting,received&limit=100');
    const first = !this.#snapshot.loaded;
    for (const order of activations) this.upsert(order, !first);
    // Orders we showed as open that are no longer: they ended meanwhile.
    const open = new Set(activations.map((a) => a.id));
    const stale = this.#snapshot.orders.filter((o) => isOpen(o.status) && !open.has(o.id));
    this.#set({ loaded: true });
    await Promise.all(stale.map((o) => this.refresh(o.id)));
  }

  async refresh(id: string): Promise<void> {
    this.upsert(await this.deps.request<Activation>(`/activations/${encodeURIComponent(id)}`));
  }

  handleEvent(type: string, data: unknown): void {
    if (typeof data !== 'object' || data === null) return;
    if (type === 'balance.updated') {
      const { available, held, demo } = data as Partial<Balances>;
      if (typeof available !== 'number' || typeof held !== 'number') return;
      const demoKnown = typeof demo?.available === 'number' && typeof demo.held === 'number';
      this.deps.onBalance({
        available,
        held,
        demo: demoKnown ? { available: demo.available, held: demo.held } : { available: 0, held: 0 },
      });
      return;
    }
    const id = (data as { activationId?: unknown }).activationId;
    if (typeof id !== 'string') return;
    if (type === 'sms.received') this.#smsArrived(data as SmsEvent);
    if (type === 'sms.received' || type === 'activation.updated') void this.refresh(id).catch(() => {});
  }

  /** Show the code at once, from the event; the re-read that follows adds what the event does not carry. */
  #smsArrived(event: SmsEvent): void {
    const order = this.find(event.activationId);
    if (!order || order.sms.some((s) => s.id === event.smsId)) return;
    const sms: Sms = {
      id: event.smsId,
      code: event.code,
      text: event.text ?? null,
      receivedAt: event.receivedAt,
      late: event.late,
      withheld: event.withheld ?? false,
    };
    const status = order.status === 'waiting' && !sms.late ? 'received' : order.status;
    this.upsert({
      ...order,
      status,
      receivedAt: order.receivedAt ?? (status === 'received' ? sms.receivedAt : null),
      sms: [...order.sms, sms],
    });
  }

  /** Buy a number at no more than the price the customer confirmed. */
  async buy(service: string, country: string, maxPrice: number, idempotencyKey: string): Promise<Activation> {
    const order = await this.deps.request<Activation>('/activations', {
      method: 'POST',
      body: { service, country, maxPrice },
      headers: { 'idempotency-key': idempotencyKey },
    });
    this.#dismissed.delete(order.id);
    this.upsert(order);
    return order;
  }

  async act(id: string, action: 'cancel' | 'finish' | 'retry'): Promise<Activation> {
    const order = await this.deps.request<Activation>(`/activations/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
    this.upsert(order);
    return order;
  }

  dismiss(id: string): void {
    this.#dismissed.add(id);
    this.#set({ orders: this.#snapshot.orders.filter((o) => o.id !== id) });
  }
}

/** The newer answer wins, but a text we already have is kept (ephemeral storage forgets it once delivered). */
export function mergeOrder(previous: Activation, next: Activation): Activation {
  // Answers can arrive out of order; an order that ended never reopens.
  if (!isOpen(previous.status) && isOpen(next.status)) return previous;
  const known = new Map(previous.sms.map((s) => [s.id, s]));
  const sms = next.sms.map((s) => ({ ...s, text: s.text ?? known.get(s.id)?.text ?? null }));
  // An event may have shown an SMS that the re-read does not list yet (it raced the commit): keep it.
  for (const s of previous.sms) if (!sms.some((x) => x.id === s.id)) sms.push(s);
  return { ...next, sms };
}
