import { describe, expect, it } from 'vitest';
import type { RequestOptions } from '../lib/api.ts';
import type { Activation, Balance, Sms } from '../lib/types.ts';
import { mergeOrder, OrderStore } from './order-store.ts';

const order = (over: Partial<Activation> = {}): Activation => ({
  id: 'act_01',
  phone: '+6281200000001',
  service: 'tg',
  country: 'ID',
  price: 17,
  status: 'waiting',
  expiresAt: '2030-01-01T00:20:00.000Z',
  createdAt: '2030-01-01T00:00:00.000Z',
  cancellableAt: '2030-01-01T00:02:00.000Z',
  receivedAt: null,
  endedAt: null,
  sandbox: true,
  sms: [],
  ...over,
});

function storeWith(answers: Record<string, () => unknown>) {
  const requests: string[] = [];
  const codes: string[] = [];
  const balances: Balance[] = [];
  const store = new OrderStore({
    request: (async (path: string, options?: RequestOptions) => {
      requests.push(`${options?.method ?? 'GET'} ${path}`);
      const answer = answers[`${options?.method ?? 'GET'} ${path}`];
      if (!answer) throw new Error(`unexpected ${path}`);
      return answer();
    }) as <T>(path: string, options?: RequestOptions) => Promise<T>,
    onBalance: (balance) => balances.push(balance),
    onCode: (_order, sms: Sms) => codes.push(sms.code ?? ''),
  });
  return { store, requests, codes, balances };
}

describe('OrderStore', () => {
  it('shows a code from the live event itself, before reading the order again', async () => {
    let release: (value: Activation) => void = () => {};
    const reread = new Promise<Activation>((resolve) => {
      release = resolve;
    });
    const { store, codes, requests } = storeWith({
      'GET /activations?status=waiting,received&limit=100': () => ({ activations: [order()] }),
      'GET /activations/act_01': () => reread,
    });
    await store.load();
    expect(codes).toEqual([]);

    store.handleEvent('sms.received', {
      activationId: 'act_01',
      smsId: 'sms_1',
      code: '48213',
      late: false,
      receivedAt: '2030-01-01T00:00:09Z',
    });
    // The re-read has not answered yet: the code is already there.
    expect(store.find('act_01')?.status).toBe('received');
    expect(store.find('act_01')?.sms.map((s) => s.code)).toEqual(['48213']);
    expect(codes).toEqual(['48213']);
    expect(requests).toContain('GET /activations/act_01');

    release(
      order({
        status: 'received',
        sms: [
          { id: 'sms_1', code: '48213', text: 'Telegram code: 48213', receivedAt: '2030-01-01T00:00:09Z', late: false, withheld: false },
        ],
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.find('act_01')?.sms[0]?.text).toBe('Telegram code: 48213');
    // The same SMS is announced once, however many times it is seen.
    expect(codes).toEqual(['48213']);
  });

  it('passes balance events on, and ignores events that are not for orders on screen', async () => {
    const { store, balances, codes } = storeWith({ 'GET /activations/act_zz': () => order({ id: 'act_zz' }) });
    store.handleEvent('balance.updated', { available: 483, held: 17, demo: { available: 300, held: 17 }, at: 'x' });
    // From a server before demo credits: none.
    store.handleEvent('balance.updated', { available: 483, held: 0, at: 'y' });
    store.handleEvent('sms.received', { activationId: 'act_zz', smsId: 'sms_9', code: '1', late: false, receivedAt: 'x' });
    store.handleEvent('nonsense', 'text');
    expect(balances).toEqual([
      { available: 483, held: 17, demo: { available: 300, held: 17 } },
      { available: 483, held: 0, demo: { available: 0, held: 0 } },
    ]);
    expect(codes).toEqual([]);
  });

  it('reads orders that stopped being open while the stream was down, and keeps showing them ended', async () => {
    let open = [order({ id: 'act_02' }), order({ id: 'act_01' })];
    const { store } = storeWith({
      'GET /activations?status=waiting,received&limit=100': () => ({ activations: open }),
      'GET /activations/act_01': () => order({ id: 'act_01', status: 'expired', endedAt: '2030-01-01T00:20:00Z' }),
    });
    await store.load();
    open = [order({ id: 'act_02' })];
    await store.load();
    expect(store.snapshot().orders.map((o) => [o.id, o.status])).toEqual([
      ['act_02', 'waiting'],
      ['act_01', 'expired'],
    ]);
    store.dismiss('act_01');
    expect(store.snapshot().orders.map((o) => o.id)).toEqual(['act_02']);
  });

  it('buys with the confirmed price as the maximum and the idempotency key of the click', async () => {
    const { store, requests } = storeWith({ 'POST /activations': () => order() });
    await store.buy('tg', 'ID', 17, 'key-1');
    expect(requests).toEqual(['POST /activations']);
    expect(store.snapshot().orders.map((o) => o.id)).toEqual(['act_01']);
  });
});

describe('mergeOrder', () => {
  it('keeps a text the newer answer no longer has, and never reopens an ended order', () => {
    const sms = { id: 'sms_1', code: '1', receivedAt: 'x', late: false, withheld: false };
    const before = order({ status: 'received', sms: [{ ...sms, text: 'kept' }] });
    expect(mergeOrder(before, order({ status: 'completed', sms: [{ ...sms, text: null }] })).sms[0]?.text).toBe('kept');
    const ended = order({ status: 'cancelled' });
    expect(mergeOrder(ended, order({ status: 'waiting' })).status).toBe('cancelled');
  });
});
