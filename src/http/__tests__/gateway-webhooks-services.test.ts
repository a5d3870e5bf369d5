import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../test/support/actors.ts';
import { type AndroidGateway, addAndroidGateway } from '../../../test/support/android-gateway.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { commandContextOf, runOtpbox } from '../../../test/support/cli.ts';
import { api, code, fundedActor } from '../../../test/support/orders.ts';
import { runProviderTasks } from '../../modules/activations/index.ts';
import { checkGatewayHeartbeats } from '../../modules/pool/index.ts';

const MINUTE = 60_000;
const DEVICE = 'ffffffffceb0b1db0000018e937c815c';
const NUMBER = '+14155550100';

/**
 * The reuse rule per service holds for what a buyer read, not only for what they bought: a code of
 * another service read on an order counts as a use of that service (a probe's finding: bought for
 * WhatsApp, read a Telegram code, and the next Telegram buyer's account was the first buyer's to take).
 */
describe('a code naming another service counts as a use of that service', () => {
  let t: TestApp;
  let farm: AndroidGateway;
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);
  const deliver = (sender: string, text: string) => farm.deliver({ device: DEVICE, sim: 1, sender, text });

  beforeAll(async () => {
    t = await createTestApp({ env: { SANDBOX: 'off' } });
    farm = await addAndroidGateway(t, 'farm');
    expect(
      (await otpbox('numbers', 'add', '--gateway', 'farm', '--number', NUMBER, '--device', DEVICE, '--sim', '1', '--cost', '0.05')).code,
    ).toBe(0);
    await t.orders.providers.load();
  });
  afterAll(() => t?.close());

  it('bought for WhatsApp, a Telegram code read: the number is not sold for Telegram within the reuse period', async () => {
    const first = await fundedActor(t, 10_000);
    const order = await api(t, first).order({ service: 'wa', country: 'US' });
    expect(order.statusCode, order.body).toBe(201);
    expect(order.json().phone).toBe(NUMBER);
    expect(await deliver('Telegram', 'Telegram code: 555555')).toBe(200);
    expect((await api(t, first).get(order.json().id)).json()).toMatchObject({ status: 'received', sms: [{ code: '555555' }] });
    expect((await api(t, first).action(order.json().id, 'finish')).statusCode).toBe(200);
    await runProviderTasks(ctxOf(t), t.orders.activations, t.clock.now());

    t.clock.advance(11 * MINUTE);
    expect((await checkGatewayHeartbeats(ctxOf(t), t.clock.now())).cooled).toBe(1);
    await t.orders.providers.load();
    const next = await fundedActor(t, 10_000);
    expect(code(await api(t, next).order({ service: 'tg', country: 'US' }))).toBe('NO_NUMBERS');
    expect(code(await api(t, next).order({ service: 'wa', country: 'US' }))).toBe('NO_NUMBERS');
    const other = await api(t, next).order({ service: 'ig', country: 'US' });
    expect(other.statusCode, other.body).toBe(201);
    // And a Telegram code to the Instagram buyer is kept from them: it is the first buyer's.
    expect(await deliver('Telegram', 'Telegram code: 666666')).toBe(200);
    expect((await api(t, next).get(other.json().id)).json()).toMatchObject({ status: 'waiting', sms: [] });
  });
});
