import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { commandContextOf, runOtpbox } from '../../../../test/support/cli.ts';
import { onPostgres } from '../../../../test/support/database.ts';
import { providerOffers, providers } from '../../../db/schema/index.ts';
import type { ProviderPort } from '../../../provider-clients/port.ts';
import { STOCK_LOCK } from '../stock.ts';

/** Whether a promise has settled, by the event loop's order rather than by a timer. */
const settledYet = (promise: Promise<unknown>) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))]);

/**
 * A sale does not wait for the pool's stock write (ADR 37 addendum): the write reads the whole pool,
 * 40–120 ms at 10,000 numbers, and the buyer's number does not depend on it. Held here by another
 * session holding the stock lock, which only a real server has (PGlite runs one session).
 */
describe.skipIf(!onPostgres())('the pool writes its stock after a sale without holding the sale back (PostgreSQL)', () => {
  let t: TestApp;
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);

  beforeAll(async () => {
    t = await createTestApp({ env: { SANDBOX: 'off' } });
    expect((await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'farm')).code).toBe(0);
    for (const [i, number] of ['+14155550100', '+14155550101'].entries()) {
      const added = await otpbox(
        'numbers',
        'add',
        '--gateway',
        'farm',
        '--number',
        number,
        '--device',
        'd',
        '--sim',
        String(i + 1),
        '--cost',
        '0.05',
      );
      expect(added.stderr).toBe('');
    }
    await t.orders.providers.load();
  });
  afterAll(() => t?.close());

  const waCount = async () => {
    const [pool] = await t.database.db.select({ id: providers.id }).from(providers).where(eq(providers.name, 'pool'));
    const offers = await t.database.db
      .select()
      .from(providerOffers)
      .where(eq(providerOffers.providerId, pool?.id ?? ''));
    return offers.find((offer) => offer.service === 'wa' && offer.country === 'US')?.count;
  };

  const stockWrittenAt = async () =>
    (await t.database.db.select({ syncedAt: providers.syncedAt }).from(providers).where(eq(providers.name, 'pool')))[0]?.syncedAt;

  it('a sale and an end answer while the stock write waits; the write lands once it can, and settled() waits for it', async () => {
    expect(await waCount()).toBe(2);
    const pool = t.orders.providers.port('pool') as ProviderPort;
    const holder = new pg.Client({ connectionString: t.database.url });
    await holder.connect();
    /** Until the stock write waits for the lock the holder holds. */
    const stockWriteWaiting = async () => {
      for (;;) {
        const { rows } = await holder.query<{ waiting: number }>(
          `select count(*)::int as waiting from pg_locks where locktype = 'advisory' and objid = $1 and not granted`,
          [STOCK_LOCK],
        );
        if (rows[0]?.waiting) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    try {
      await holder.query('select pg_advisory_lock($1)', [STOCK_LOCK]);
      const sale = pool.buyNumber({ service: 'wa', country: 'US' });
      await stockWriteWaiting();
      expect(await settledYet(sale)).toBe(true);
      const sold = await sale;
      expect(sold.ok).toBe(true);
      const stockWritten = pool.settled?.();
      expect(stockWritten).toBeDefined();
      expect(await settledYet(stockWritten as Promise<void>)).toBe(false);
      expect(await waCount()).toBe(2);

      await holder.query('select pg_advisory_unlock($1)', [STOCK_LOCK]);
      await stockWritten;
      expect(await waCount()).toBe(1);

      // The end of a lease (cancel, finish) does not wait for its write either. The number then cools
      // down (it stays out of the stock): the write shows in the time the stock was last written.
      t.clock.advance(60_000);
      await holder.query('select pg_advisory_lock($1)', [STOCK_LOCK]);
      const cancel = pool.cancel(sold.ok ? sold.value.upstreamId : '');
      await stockWriteWaiting();
      expect(await settledYet(cancel)).toBe(true);
      expect((await cancel).ok).toBe(true);
      await holder.query('select pg_advisory_unlock($1)', [STOCK_LOCK]);
      expect(await stockWrittenAt()).not.toEqual(t.clock.now());
      await pool.settled?.();
      expect(await stockWrittenAt()).toEqual(t.clock.now());
    } finally {
      await holder.end();
    }
  });
});
