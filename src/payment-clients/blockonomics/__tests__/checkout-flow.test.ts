import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeBlockonomics, startFakeBlockonomics } from '../../../../test/fakes/blockonomics-server.ts';
import { ManualClock } from '../../../lib/clock.ts';
import {
  type BitcoinDecision,
  createBlockonomicsClient,
  decideBitcoinPayment,
  type ObservedTransaction,
  quoteBitcoin,
  readBlockonomicsCallback,
} from '../index.ts';

/**
 * The whole bitcoin path as the payments module will wire it, with the fake Blockonomics and a
 * stand-in for the store's callback route: address and price → quote → callbacks → decisions.
 */
const SECRET = 'callback-secret-for-tests-000000';
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((thing) => thing.close()));
});

async function store(onTransaction: (tx: ObservedTransaction & { address: string }) => void) {
  const server = createServer((req, res) => {
    const reading = readBlockonomicsCallback(Object.fromEntries(new URL(req.url ?? '/', 'http://store').searchParams), SECRET);
    if (reading.ok) onTransaction(reading.callback);
    res.writeHead(reading.ok ? 200 : 400).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/blockonomics`;
}

describe('a bitcoin checkout against the fake Blockonomics', () => {
  it('quotes, then credits a payment in two transactions exactly once, whatever is replayed', async () => {
    const fake: FakeBlockonomics = await startFakeBlockonomics({ prices: { USD: 50_000 } });
    open.push(fake);
    const client = createBlockonomicsClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey });
    const clock = new ManualClock('2026-05-01T10:00:00.000Z');

    const address = await client.newAddress();
    const price = await client.priceOf('USD');
    if (!address.ok || !price.ok) throw new Error('the fake should answer');
    const quote = quoteBitcoin({
      address: address.value.address,
      amountMinor: 1000,
      currency: 'USD',
      pricePerBtc: price.value.perBtc,
      clock,
    });
    expect(quote).toMatchObject({ satoshis: 20_000, amountBtc: '0.00020000', expiresAt: new Date('2026-05-01T10:10:00.000Z') });

    const recorded: ObservedTransaction[] = [];
    let credited = 0;
    const decisions: BitcoinDecision[] = [];
    const url = await store((tx) => {
      recorded.push(tx);
      const decision = decideBitcoinPayment({
        expectedSatoshis: quote.satoshis,
        packageCredits: 100,
        confirmations: 2,
        transactions: recorded,
        creditedSoFar: credited,
      });
      if (decision.kind === 'credit') credited += decision.credits;
      decisions.push(decision);
    });

    const first = await fake.fireConfirmations(url, { secret: SECRET, addr: quote.address, value: 5_000 });
    expect(first.answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(decisions.map((decision) => decision.kind)).toEqual(['pending', 'pending', 'credit']);
    expect(credited).toBe(25);

    await fake.fireConfirmations(url, { secret: SECRET, addr: quote.address, value: 15_000 });
    // Blockonomics retries: the same callbacks again credit nothing.
    await fake.fireCallback(url, { secret: SECRET, addr: quote.address, status: 2, value: 5_000, txid: first.txid });
    expect(credited).toBe(100);
    expect(decisions.at(-1)).toMatchObject({ kind: 'nothing', status: 'paid' });
    expect(fake.calls).toEqual({ new_address: 1, price: 1 });
  });
});
