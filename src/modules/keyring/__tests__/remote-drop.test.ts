import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { isAccountKeyCached, readAccountKey } from '../index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

describe('an account key destroyed on another instance', () => {
  it('leaves this instance’s cache when the auth-channel NOTIFY arrives', async () => {
    const actor = await createActor(t);
    expect(await readAccountKey(ctxOf(t), actor.accountId)).toBeDefined();
    expect(isAccountKeyCached(actor.accountId)).toBe(true);
    // What destroyAccountKey on another instance sends (and nothing of what it does locally).
    await t.database.db.execute(sql`select pg_notify('otpbox_auth', ${actor.accountId})`);
    await expect.poll(() => isAccountKeyCached(actor.accountId), { timeout: 5000 }).toBe(false);
  });
});
