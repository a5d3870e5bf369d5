import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activations } from '../src/db/schema/index.ts';
import { pollUpstream } from '../src/modules/activations/index.ts';
import { ctxOf } from './support/actors.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { api, fundedActor } from './support/orders.ts';
import { connectSmsActivate } from './support/providers.ts';

/**
 * What an SMS's sender wrote cannot be refused: a NUL or a broken surrogate in it must not lose the
 * message (a failed statement) nor stop the order. The providers' parsers make such text storable.
 */
let t: TestApp;
let provider: Awaited<ReturnType<typeof connectSmsActivate>>;
let a: ReturnType<typeof api>;

beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0' } });
  provider = await connectSmsActivate(t, 'alpha', { prices: [{ country: 187, service: 'tg', cost: '0.50', count: 10 }] });
  a = api(t, await fundedActor(t, 1000));
});
afterAll(async () => {
  await provider?.close();
  await t?.close();
});

async function anOrder(): Promise<{ id: string; upstreamId: string }> {
  const ordered = await a.order({ service: 'tg', country: 'US' });
  expect(ordered.statusCode, ordered.body).toBe(201);
  const id = ordered.json().id as string;
  const [row] = await t.database.db.select({ upstreamId: activations.upstreamId }).from(activations).where(eq(activations.id, id));
  return { id, upstreamId: row?.upstreamId ?? '' };
}

describe('SMS text from upstream providers', () => {
  it('is kept without its NULs when pushed', async () => {
    const order = await anOrder();
    const push = await t.app.inject({
      method: 'POST',
      url: `/webhooks/providers/alpha?token=${provider.pushToken}`,
      payload: {
        activationId: Number(order.upstreamId),
        service: 'tg',
        text: 'Telegram code\u0000 55321',
        code: '55\u0000321',
        country: 187,
      },
    });
    expect(push.statusCode, push.body).toBe(200);
    expect(push.json()).toEqual({ received: 1, ignored: 0 });
    expect((await a.get(order.id)).json()).toMatchObject({ status: 'received', sms: [{ code: '55321', text: 'Telegram code 55321' }] });
  });

  it('is kept without its NULs, and with broken characters replaced, when polled', async () => {
    const order = await anOrder();
    provider.fake.deliverSms(order.upstreamId, { text: 'Telegram code 48213\u0000 \ud800', code: '482\u000013' });
    t.clock.advance(2_000);
    expect(await pollUpstream(ctxOf(t), t.orders.activations, t.clock.now())).toMatchObject({ sms: 1 });
    expect((await a.get(order.id)).json()).toMatchObject({
      status: 'received',
      sms: [{ code: '48213', text: 'Telegram code 48213 \ufffd' }],
    });
  });
});
