import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { commandContextOf, runOtpbox } from '../../../../test/support/cli.ts';
import { fundedActor } from '../../../../test/support/orders.ts';
import { queryRows } from '../../../db/client.ts';
import { receiveRentalSms } from '../../rentals/index.ts';
import { register, runDeliveries } from './helpers.ts';
import { startReceiver } from './receiver.ts';

/**
 * A rented number's SMS reaches the renter's webhook endpoint as `rental.sms` with its code, and with
 * its text where the text is stored (SMS_STORAGE=history): sealed in the delivery row like an order's
 * `sms.received`, opened only to send, and never in ephemeral storage (P4).
 */
describe.each(['history', 'ephemeral'] as const)('outbound webhooks: rental.sms with SMS_STORAGE=%s', (storage) => {
  let t: TestApp;
  const numbers = ['+14155550170', '+14155550171'];

  beforeAll(async () => {
    t = await createTestApp({ env: { SANDBOX: 'off', SMS_STORAGE: storage, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);
    expect((await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'farm')).code).toBe(0);
    for (const number of numbers) {
      expect((await otpbox('numbers', 'add', '--gateway', 'farm', '--number', number, '--cost', '0.05')).code).toBe(0);
      expect((await otpbox('numbers', 'rent-rate', '--number', number, '--per-day', '0.50')).code).toBe(0);
    }
  });
  afterAll(() => t?.close());

  const rentOne = async (actor: Actor) => {
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/v1/rentals',
      headers: { authorization: actor.bearer },
      payload: { country: 'US', days: 1 },
    });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().id as string;
    const [row] = await queryRows<{ lease_id: string }>(t.database.db, sql`select lease_id from rentals where id = ${id}`);
    return { id, leaseId: row?.lease_id as string };
  };

  it("delivers the SMS of a rented number to the renter's endpoint only, with its text only where it is stored", async () => {
    const renter = await fundedActor(t, 1_000);
    const other = await fundedActor(t, 1_000);
    const mine = await startReceiver(t.clock);
    const theirs = await startReceiver(t.clock);
    try {
      await register(t, renter, mine, { events: ['rental.sms'] });
      await register(t, other, theirs, { events: ['rental.sms'] });
      const rental = await rentOne(renter);
      const marker = 'kq4-rented-words';
      const text = `Your WhatsApp code 482-913. ${marker}`;
      const received = await receiveRentalSms(ctxOf(t), rental.leaseId, { sender: 'WhatsApp', text, receivedAt: t.clock.now() });
      expect(received.outcome).toBe('recorded');

      await runDeliveries(t);
      expect(mine.rejected).toEqual([]);
      expect(theirs.received).toEqual([]);
      expect(mine.received.map((d) => d.payload.type)).toEqual(['rental.sms']);
      const data = mine.received[0]?.payload.data;
      expect(data).toMatchObject({ rentalId: rental.id, smsId: received.smsId, code: '482913', late: false });

      const rows = await queryRows<{ payload: unknown }>(t.database.db, sql`select payload from webhook_deliveries`);
      expect(rows).toHaveLength(1);
      // Never the plain text in a stored row, in either storage.
      expect(JSON.stringify(rows)).not.toContain(marker);
      if (storage === 'history') {
        expect(data?.text).toBe(text);
        // Sealed in the row, as rental_sms holds it.
        const stored = (rows[0]?.payload as { data?: { text?: unknown } } | undefined)?.data?.text;
        expect(typeof stored).toBe('string');
        expect(stored).not.toBe(text);
      } else {
        expect(data).not.toHaveProperty('text');
        for (const delivery of mine.received) expect(delivery.body).not.toContain(marker);
      }
    } finally {
      await mine.close();
      await theirs.close();
    }
  });
});
