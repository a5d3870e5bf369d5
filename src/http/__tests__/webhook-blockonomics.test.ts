import { Writable } from 'node:stream';
import { count } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeBlockonomics, randomTxid, startFakeBlockonomics } from '../../../test/fakes/blockonomics-server.ts';
import { asBearer, createActor, ctxOf } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { bitcoinTransactions } from '../../db/schema/index.ts';
import { addPackage } from '../../modules/payments/index.ts';

/** The callback route over real HTTP, called by the fake Blockonomics as Blockonomics calls a store. */
const SECRET = 'blockonomics-callback-secret-0123456789';
let fake: FakeBlockonomics;
let t: TestApp;
let url: string;
const lines: Record<string, unknown>[] = [];
beforeAll(async () => {
  fake = await startFakeBlockonomics({ prices: { USD: 50_000 } });
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  t = await createTestApp({
    env: { BLOCKONOMICS_API_KEY: fake.apiKey, BLOCKONOMICS_CALLBACK_SECRET: SECRET, BLOCKONOMICS_API_BASE: fake.baseUrl },
    log: pino({ level: 'warn' }, sink),
  });
  url = `${await t.app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/blockonomics`;
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

async function bitcoinCheckout() {
  const actor = await createActor(t);
  const pkg = await addPackage(ctxOf(t, 'cli'), {
    code: `btc-${Math.random().toString(36).slice(2, 8)}`,
    credits: 300,
    priceMinor: 1000,
    currency: 'USD',
  });
  // Through the customer's checkout route, as the web app buys.
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/payments/checkout',
    headers: { ...asBearer(actor), 'idempotency-key': `btc-${pkg.code}` },
    payload: { package: pkg.code, method: 'bitcoin' },
  });
  expect(response.statusCode).toBe(201);
  const answer = response.json() as {
    paymentId: string;
    status: string;
    address: string;
    amountBtc: string;
    uri: string;
    expiresAt: string;
  };
  return { actor, answer };
}
const balance = async (actor: Awaited<ReturnType<typeof createActor>>) =>
  (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: asBearer(actor) })).json().balance.available as number;
const recorded = async () => (await t.database.db.select({ n: count() }).from(bitcoinTransactions))[0]?.n;

describe('POST /api/v1/payments/checkout with method bitcoin', () => {
  it('answers the address, the amount in BTC at this moment, a BIP 21 URI and the end of the quote; a retry answers the same', async () => {
    const actor = await createActor(t);
    const pkg = await addPackage(ctxOf(t, 'cli'), { code: 'btc-shape', credits: 300, priceMinor: 1000, currency: 'USD' });
    const buy = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/payments/checkout',
        headers: { ...asBearer(actor), 'idempotency-key': 'btc-shape-1' },
        payload: { package: pkg.code, method: 'bitcoin' },
      });
    // Only bitcoin is configured here: the packages say so, so the web app offers only it.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/packages' })).json().methods).toEqual(['bitcoin']);
    const first = await buy();
    expect(first.statusCode).toBe(201);
    const answer = first.json();
    // 10.00 USD at 50,000 USD per BTC is 0.0002 BTC.
    expect(answer).toEqual({
      paymentId: expect.stringMatching(/^pay_/),
      status: 'created',
      address: expect.stringMatching(/^bc1/),
      amountBtc: '0.00020000',
      uri: `bitcoin:${answer.address}?amount=0.00020000&message=btc-shape%20(${answer.paymentId})`,
      expiresAt: expect.any(String),
    });
    const again = await buy();
    expect([again.statusCode, again.headers['idempotent-replayed'], again.json()]).toEqual([201, 'true', answer]);
  });
});

describe('GET /webhooks/blockonomics', () => {
  it('credits a payment as its transaction confirms, answering 200 to every callback, once however often replayed', async () => {
    const { actor, answer } = await bitcoinCheckout();
    const { txid, answers } = await fake.fireConfirmations(url, { secret: SECRET, addr: answer.address, value: 20_000 });
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(JSON.parse(answers[0]?.body ?? '{}')).toEqual({ received: true, payment: answer.paymentId });
    expect(await balance(actor)).toBe(300);
    for (let i = 0; i < 3; i++) {
      expect((await fake.fireCallback(url, { secret: SECRET, addr: answer.address, status: 2, value: 20_000, txid })).status).toBe(200);
    }
    expect(await balance(actor)).toBe(300);
    const statement = (await t.app.inject({ method: 'GET', url: '/api/v1/ledger/statement', headers: asBearer(actor) })).json();
    expect(JSON.stringify(statement)).toContain(`payment ${answer.paymentId}`);
  });

  it('refuses a missing or wrong secret with 401 and records nothing', async () => {
    const { actor, answer } = await bitcoinCheckout();
    const before = await recorded();
    const wrong = await fake.fireCallback(url, {
      secret: `${SECRET}x`,
      addr: answer.address,
      status: 2,
      value: 20_000,
      txid: randomTxid(),
    });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body).error.code).toBe('UNAUTHENTICATED');
    const none = await fetch(`${url}?status=2&addr=${answer.address}&value=20000&txid=${randomTxid()}`);
    expect(none.status).toBe(401);
    expect(await recorded()).toBe(before);
    expect(await balance(actor)).toBe(0);
  });

  it('answers a malformed callback 400, naming the problem', async () => {
    const { answer } = await bitcoinCheckout();
    const bad = await fake.fireCallback(url, { secret: SECRET, addr: answer.address, status: 2, value: 20_000, txid: 'not-a-txid' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('txid') });
  });

  it('answers 200 for an address it never handed out, credits nothing and logs a warning', async () => {
    const before = await recorded();
    const stray = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';
    const answer = await fake.fireCallback(url, { secret: SECRET, addr: stray, status: 2, value: 5_000, txid: randomTxid() });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ received: true, payment: null });
    expect(await recorded()).toBe(before);
    expect(lines.some((line) => line.address === stray && String(line.msg).includes('never handed out'))).toBe(true);
    // The secret never reaches the log.
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it('is not there when Blockonomics is not configured', async () => {
    const plain = await createTestApp();
    try {
      const response = await plain.app.inject({ method: 'GET', url: `/webhooks/blockonomics?secret=${SECRET}&status=2` });
      expect(response.statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
