import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { api, fundedActor } from '../../../../test/support/orders.ts';
import { queryRows } from '../../../db/client.ts';
import { register, runDeliveries } from './helpers.ts';
import { startReceiver } from './receiver.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { SMS_STORAGE: 'ephemeral', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
});
afterAll(() => t?.close());

describe('outbound webhooks with SMS_STORAGE=ephemeral (P4)', () => {
  it('delivers the code but never the SMS text, and no delivery row holds it', async () => {
    const user = await fundedActor(t, 1000);
    const hook = await startReceiver(t.clock);
    try {
      await register(t, user, hook);
      const marker = 'zq7-private-words';
      const text = `Your Telegram code: 48213. ${marker}`;
      const order = (await api(t, user).order()).json();
      expect((await api(t, user).sms(order.id, text)).statusCode).toBe(202);
      // The text exists (in memory, for its owner's live view): leaving it out of webhooks is a choice, not an accident.
      expect((await api(t, user).get(order.id)).json().sms[0].text).toBe(text);

      await runDeliveries(t);
      expect(hook.rejected).toEqual([]);
      const sms = hook.received.find((d) => d.payload.type === 'sms.received');
      expect(sms?.payload.data).toMatchObject({ activationId: order.id, code: '48213' });
      expect(sms?.payload.data).not.toHaveProperty('text');
      for (const delivery of hook.received) expect(delivery.body).not.toContain(marker);

      const rows = await queryRows<Record<string, unknown>>(t.database.db, sql`select * from webhook_deliveries`);
      expect(rows.length).toBe(hook.received.length);
      expect(JSON.stringify(rows)).not.toContain(marker);
      expect(JSON.stringify(rows)).not.toContain('48213.');
    } finally {
      await hook.close();
    }
  });
});
