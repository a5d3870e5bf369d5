import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { moduleCtx } from '../../../../test/support/module-ctx.ts';
import { queryRows } from '../../../db/client.ts';
import {
  accounts,
  activationSms,
  activations,
  authTokens,
  devices,
  emailOutbox,
  instanceSettings,
  webhookEndpoints,
} from '../../../db/schema/index.ts';
import { ManualClock } from '../../../lib/clock.ts';
import { newId } from '../../../lib/ids.ts';
import { emailLookupHash, forgetAccountKey, openFor, SEALED_SETTING, sealExistingData } from '../index.ts';

let database: TestDatabase;
const clock = new ManualClock();
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

/** Rows as a version before the keyring wrote them: every personal value in clear, no keyed hash. */
async function plainRows() {
  const now = clock.now();
  const accountId = newId('acc');
  const ids = {
    accountId,
    token: newId('tok'),
    mail: newId('eml'),
    device: newId('dev'),
    order: newId('act'),
    sms: newId('sms'),
    hook: newId('whe'),
  };
  await database.db.execute(sql`alter table accounts drop constraint accounts_email_has_hash`);
  await database.db
    .insert(accounts)
    .values({ id: accountId, kind: 'email', email: 'old.timer@example.com', passwordHash: '$argon2id$x', createdAt: now, updatedAt: now });
  await database.db.execute(
    sql`alter table accounts add constraint accounts_email_has_hash check ((email is null) = (email_hash is null)) not valid`,
  );
  await database.db.insert(authTokens).values({
    id: ids.token,
    accountId,
    purpose: 'verify_email',
    tokenHash: newId('h'),
    email: 'old.timer@example.com',
    createdAt: now,
    expiresAt: now,
  });
  await database.db.insert(emailOutbox).values({
    id: ids.mail,
    accountId,
    toAddress: 'old.timer@example.com',
    template: 't',
    subject: 's',
    bodyText: 'Hello old.timer',
    status: 'sent',
    nextAttemptAt: now,
    createdAt: now,
  });
  await database.db.insert(devices).values({
    id: ids.device,
    accountId,
    deviceHash: newId('dh'),
    platform: 'android',
    osVersion: '14',
    model: 'Pixel 8',
    appVersion: '1.2.3',
    createdAt: now,
    lastSeenAt: now,
  });
  await database.db.insert(activations).values({
    id: ids.order,
    accountId,
    service: 'tg',
    country: 'fr',
    provider: 'sandbox',
    phone: '+33612345678',
    price: 10,
    status: 'completed',
    createdAt: now,
    updatedAt: now,
    expiresAt: now,
    cancellableAt: now,
  });
  await database.db.insert(activationSms).values({
    id: ids.sms,
    activationId: ids.order,
    dedupeKey: 'd',
    code: '4242',
    text: 'Your code is 4242',
    receivedAt: now,
    source: 'sandbox',
  });
  await database.db.insert(webhookEndpoints).values({
    id: ids.hook,
    accountId,
    url: 'https://hooks.example.com/in',
    eventTypes: ['*'],
    secretEncrypted: 'v1.x',
    status: 'enabled',
    createdAt: now,
    updatedAt: now,
  });
  return ids;
}

describe('sealing the data a version before the keyring left in clear', () => {
  it('seals every personal value once, gives the address its keyed hash, validates the check, and records it', async () => {
    const ctx = moduleCtx(database, clock);
    const ids = await plainRows();
    await database.db.delete(instanceSettings).where(eq(instanceSettings.key, SEALED_SETTING));

    expect(await sealExistingData(ctx)).toEqual({ sealed: 11, skipped: false });
    const dump = JSON.stringify(
      await Promise.all(
        ['accounts', 'auth_tokens', 'email_outbox', 'devices', 'activations', 'activation_sms', 'webhook_endpoints'].map((table) =>
          queryRows(database.db, sql`select * from ${sql.identifier(table)}`),
        ),
      ),
    );
    for (const plain of ['old.timer', 'Pixel 8', '1.2.3', '+33612345678', 'Your code', 'hooks.example.com', 'android'])
      expect(dump, plain).not.toContain(plain);
    expect(dump).toContain('4242'); // the code is not sealed: the text is

    forgetAccountKey('*');
    const [account] = await database.db.select().from(accounts).where(eq(accounts.id, ids.accountId));
    expect(account?.emailHash).toBe(emailLookupHash(ctx.keys, 'old.timer@example.com'));
    expect(await openFor(ctx, ids.accountId, 'accounts.email', ids.accountId, account?.email ?? null)).toBe('old.timer@example.com');
    const [sms] = await database.db.select().from(activationSms).where(eq(activationSms.id, ids.sms));
    expect(await openFor(ctx, ids.accountId, 'activation_sms.text', ids.sms, sms?.text ?? null)).toBe('Your code is 4242');
    const [device] = await database.db.select().from(devices).where(eq(devices.id, ids.device));
    expect(await openFor(ctx, ids.accountId, 'devices.model', ids.device, device?.model ?? null)).toBe('Pixel 8');
    const [order] = await database.db.select().from(activations).where(eq(activations.id, ids.order));
    expect(await openFor(ctx, ids.accountId, 'activations.phone', ids.order, order?.phone ?? null)).toBe('+33612345678');
    const [hook] = await database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, ids.hook));
    expect(await openFor(ctx, ids.accountId, 'webhook_endpoints.url', ids.hook, hook?.url ?? null)).toBe('https://hooks.example.com/in');

    // The check now holds for every row, old ones included.
    const [check] = await queryRows<{ validated: boolean }>(
      database.db,
      sql`select convalidated as validated from pg_constraint where conname = 'accounts_email_has_hash'`,
    );
    expect(check?.validated).toBe(true);
    // Done once: a later start skips it; forced again, it finds nothing left in clear.
    expect(await sealExistingData(ctx)).toEqual({ sealed: 0, skipped: true });
    await database.db.delete(instanceSettings).where(eq(instanceSettings.key, SEALED_SETTING));
    expect(await sealExistingData(ctx)).toEqual({ sealed: 0, skipped: false });
    const [again] = await database.db.select().from(accounts).where(eq(accounts.id, ids.accountId));
    expect(again?.email).toBe(account?.email);
  });

  it('has nothing to seal on a fresh database', async () => {
    const fresh = await createTestDatabase();
    try {
      expect(await sealExistingData(moduleCtx(fresh, clock))).toEqual({ sealed: 0, skipped: false });
      expect(await sealExistingData(moduleCtx(fresh, clock))).toEqual({ sealed: 0, skipped: true });
    } finally {
      await fresh.destroy();
    }
  });
});
