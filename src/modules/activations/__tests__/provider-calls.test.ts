import { asc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { api, fundedActor } from '../../../../test/support/orders.ts';
import { connectSmsActivate } from '../../../../test/support/providers.ts';
import { activations, providerCalls } from '../../../db/schema/index.ts';
import { pollUpstream, runProviderTasks } from '../index.ts';
import { redactAnswer } from '../provider-calls.ts';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

const callsOf = (t: TestApp, id: string) =>
  t.database.db.select().from(providerCalls).where(eq(providerCalls.activationId, id)).orderBy(asc(providerCalls.id));
const tgUs = [{ country: 187, service: 'tg', cost: '0.50', count: 10 }];

describe('the provider-call log', () => {
  it('records the buy, the polls that changed something (not the unchanged ones) and the finish; no number or code in it', async () => {
    const t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', PROVIDER_TIMEOUT_MS: '2000' } });
    open.push(t);
    const connected = await connectSmsActivate(t, 'alpha', { prices: tgUs });
    open.push(connected);
    const a = api(t, await fundedActor(t, 1000));
    const order = (await a.order({ service: 'tg', country: 'US' })).json();
    const [row] = await t.database.db.select().from(activations).where(eq(activations.id, order.id));
    const poll = () => pollUpstream(ctxOf(t), t.orders.activations, t.clock.now());

    t.clock.advance(3_000);
    expect(await poll()).toMatchObject({ polled: 1, sms: 0 }); // unchanged: not recorded
    connected.fake.deliverSms(row?.upstreamId as string, { text: 'Telegram code: 48213', code: '48213' });
    t.clock.advance(10_000);
    expect(await poll()).toMatchObject({ polled: 1, sms: 1 });
    expect((await a.action(order.id, 'finish')).statusCode).toBe(200);
    await runProviderTasks(ctxOf(t), t.orders.activations, t.clock.now());

    const calls = await callsOf(t, order.id);
    expect(calls.map((call) => [call.provider, call.action, call.outcome])).toEqual([
      ['alpha', 'buy', 'ok'],
      ['alpha', 'status', 'ok'],
      ['alpha', 'finish', 'ok'],
    ]);
    expect(calls[1]?.answer).toBe('received, 1 SMS');
    for (const call of calls) expect(call.durationMs).toBeGreaterThanOrEqual(0);
    const digits = order.phone.replace(/\D/g, '');
    expect(JSON.stringify(calls)).not.toContain(digits);
    expect(JSON.stringify(calls)).not.toContain('48213');
  });

  it('records a refused buy with its reason, and a failed poll', async () => {
    const t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0', PROVIDER_TIMEOUT_MS: '2000' } });
    open.push(t);
    const connected = await connectSmsActivate(t, 'alpha', { prices: tgUs });
    open.push(connected);
    const a = api(t, await fundedActor(t, 1000));
    connected.fake.scriptReply('getNumberV2', 'NO_NUMBERS');
    const refused = await a.order({ service: 'tg', country: 'US' });
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    const [failed] = await t.database.db.select().from(activations).where(eq(activations.status, 'failed'));
    expect((await callsOf(t, failed?.id as string)).map((call) => [call.action, call.outcome])).toEqual([['buy', 'no_numbers']]);

    const order = (await a.order({ service: 'tg', country: 'US' })).json();
    connected.fake.scriptReply('getStatus', 'ERROR_SQL');
    connected.fake.scriptReply('getStatusV2', 'ERROR_SQL');
    t.clock.advance(3_000);
    await pollUpstream(ctxOf(t), t.orders.activations, t.clock.now());
    const calls = await callsOf(t, order.id);
    expect(calls.map((call) => [call.action, call.outcome])).toEqual([
      ['buy', 'ok'],
      ['status', 'unavailable'],
    ]);
  });

  it('redacts every run of digits that could be a number or a code, and cuts long answers', () => {
    expect(redactAnswer('ACCESS_NUMBER:123:79001234567')).toBe('ACCESS_NUMBER:123:[redacted]');
    expect(redactAnswer('code 4821 for +44 7700 900123')).toBe('code [redacted] for [redacted]');
    expect(redactAnswer('x'.repeat(400))).toHaveLength(300);
  });
});
