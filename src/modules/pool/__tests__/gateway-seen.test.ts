import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { moduleCtx } from '../../../../test/support/module-ctx.ts';
import { gateways } from '../../../db/schema/index.ts';
import { ManualClock } from '../../../lib/clock.ts';
import { addGateway, checkGatewayHeartbeats, type GatewayRow, gatewaySeen, seenRecently } from '../index.ts';

const MINUTE = 60_000;

/**
 * `gatewaySeen` with a copy of the row that is out of date, as the webhook route's cache holds it
 * (ADR 47): what it answers is the row's own state before the write, so a gateway the health job
 * marked down meanwhile is seen coming back (its numbers go back in stock).
 */
describe('gatewaySeen from a cached row', () => {
  let database: TestDatabase;
  const clock = new ManualClock('2026-06-01T12:00:00.000Z');
  let row: GatewayRow;

  beforeAll(async () => {
    database = await createTestDatabase();
    row = (await addGateway(moduleCtx(database, clock, 'test'), { kind: 'android-sms-gateway', name: 'phone' })).gateway;
  });
  afterAll(() => database?.destroy());

  const stored = async () => (await database.db.select().from(gateways).where(eq(gateways.id, row.id)))[0] as GatewayRow;

  it('writes `up` and last seen, answering the state the row had', async () => {
    expect(await gatewaySeen(database.db, row, clock.now())).toBe('unknown');
    expect(await stored()).toMatchObject({ state: 'up', lastSeenAt: clock.now() });
  });

  it('writes nothing when the copy says it was seen within 30 s', async () => {
    const copy = { ...row, state: 'up' as const, lastSeenAt: clock.now() };
    clock.advance(29_000);
    expect(seenRecently(copy, clock.now())).toBe(true);
    expect(await gatewaySeen(database.db, copy, clock.now())).toBeUndefined();
    expect((await stored()).lastSeenAt).toEqual(new Date(clock.now().getTime() - 29_000));
  });

  it('answers `down` when the health job marked it down after the copy was read as up', async () => {
    const copy = await stored();
    expect(copy.state).toBe('up');
    clock.advance(16 * MINUTE);
    expect((await checkGatewayHeartbeats(moduleCtx(database, clock), clock.now())).down).toBe(1);
    expect(await gatewaySeen(database.db, copy, clock.now())).toBe('down');
    expect(await stored()).toMatchObject({ state: 'up', lastSeenAt: clock.now() });
  });

  it('writes nothing and answers nothing for a removed gateway', async () => {
    await database.db.update(gateways).set({ removedAt: clock.now() }).where(eq(gateways.id, row.id));
    clock.advance(MINUTE);
    expect(await gatewaySeen(database.db, { ...row, state: 'down' }, clock.now())).toBeUndefined();
    expect((await stored()).lastSeenAt).not.toEqual(clock.now());
  });
});
