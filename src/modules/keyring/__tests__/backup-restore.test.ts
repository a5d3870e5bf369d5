import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBearer, ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { api, fundedActor } from '../../../../test/support/orders.ts';
import { type Executor, queryRows } from '../../../db/client.ts';
import { accounts, activationSms } from '../../../db/schema/index.ts';
import { transaction } from '../../../db/tx.ts';
import { AccountKeyDestroyedError, destroyAccountKey, forgetAccountKey, openFor, openStrict } from '../index.ts';

/**
 * Crypto-shredding reaches backups (issue 17, item 3): a backup of the data taken before an erasure,
 * restored next to the keyring as it is after the erasure, gives nothing of the erased account back.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

type Backup = Map<string, unknown[]>;

/** Every table of the data (the public schema), never the keyring: what `pg_dump --exclude-schema=keyring` keeps. */
async function dataTables(db: Executor): Promise<string[]> {
  const rows = await queryRows<{ table_name: string }>(
    db,
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  return rows.map((row) => row.table_name);
}

async function backUp(db: Executor): Promise<Backup> {
  const backup: Backup = new Map();
  for (const table of await dataTables(db)) {
    const [row] = await queryRows<{ rows: unknown[] | string | null }>(
      db,
      sql`select coalesce(json_agg(t), '[]'::json) as rows from ${sql.identifier(table)} t`,
    );
    backup.set(table, typeof row?.rows === 'string' ? JSON.parse(row.rows) : (row?.rows ?? []));
  }
  return backup;
}

/** Empty every data table and put the backup's rows back, as a restore does (constraints and triggers off meanwhile). */
async function restore(db: Executor, backup: Backup): Promise<void> {
  await transaction(db, async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    const tables = [...backup.keys()];
    await tx.execute(
      sql`truncate ${sql.join(
        tables.map((table) => sql.identifier(table)),
        sql`, `,
      )}`,
    );
    for (const [table, rows] of backup) {
      if (rows.length === 0) continue;
      await tx.execute(
        sql`insert into ${sql.identifier(table)} overriding system value
            select * from json_populate_recordset(null::${sql.identifier(table)}, ${JSON.stringify(rows)}::json)`,
      );
    }
  });
}

describe('a data backup restored after an erasure', () => {
  it('cannot give back the erased account’s e-mail or SMS text, while another account’s still read', async () => {
    const erased = await fundedActor(t, 1000);
    const kept = await fundedActor(t, 1000);
    const texts = new Map<string, string>();
    const phones = new Map<string, string>();
    for (const [actor, words] of [
      [erased, 'Telegram code 24680. Never share it, Mallory'],
      [kept, 'Telegram code 13579. Never share it, Trent'],
    ] as const) {
      // Under an Idempotency-Key: the first answer (with the number) is stored too.
      const order = (
        await api(t, actor).order({ service: 'tg', country: 'ID' }, { 'idempotency-key': `backup-${actor.accountId}` })
      ).json();
      expect((await api(t, actor).sms(order.id, words)).statusCode).toBe(202);
      expect((await api(t, actor).get(order.id)).json().sms[0].text).toBe(words);
      texts.set(actor.accountId, words);
      phones.set(actor.accountId, order.phone);
    }

    // 1. Back up the data (not the keyring).
    const backup = await backUp(t.database.db);
    expect(backup.has('accounts') && backup.has('activation_sms')).toBe(true);
    expect([...backup.keys()]).not.toContain('account_keys');

    // 2. Erase the account: its key is destroyed (nothing else is changed: the worst case for a backup).
    await destroyAccountKey(ctxOf(t), erased.accountId);

    // 3. Restore the old data next to the current keyring.
    await restore(t.database.db, backup);
    forgetAccountKey('*');

    // 4. The erased account's e-mail and SMS text cannot be read: not in the raw rows, not by opening them.
    const raw = JSON.stringify(Object.fromEntries(await backUp(t.database.db)));
    for (const secret of [erased.email, texts.get(erased.accountId) as string, 'Mallory', phones.get(erased.accountId) as string])
      expect(raw, secret).not.toContain(secret);
    const ctx = ctxOf(t);
    const [account] = await t.database.db.select().from(accounts).where(eq(accounts.id, erased.accountId));
    expect(account?.email).toBeTruthy();
    expect(await openFor(ctx, erased.accountId, 'accounts.email', erased.accountId, account?.email ?? null)).toBeNull();
    await expect(openStrict(ctx, erased.accountId, 'accounts.email', erased.accountId, account?.email as string)).rejects.toThrow(
      AccountKeyDestroyedError,
    );
    const [sms] = await queryRows<{ id: string; text: string }>(
      t.database.db,
      sql`select s.id, s.text from activation_sms s join activations a on a.id = s.activation_id where a.account_id = ${erased.accountId}`,
    );
    expect(sms?.text).toBeTruthy();
    expect(await openFor(ctx, erased.accountId, 'activation_sms.text', sms?.id as string, sms?.text ?? null)).toBeNull();
    // What the API would show of it (were its sessions still open): erased, not an error.
    const order = (await api(t, erased).list()).json().activations[0];
    expect(order).toMatchObject({ phone: '', sms: [{ text: null }] });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: asBearer(erased) })).json().email).toBeNull();

    // The other account is whole.
    const [other] = await t.database.db.select().from(accounts).where(eq(accounts.id, kept.accountId));
    expect(await openFor(ctx, kept.accountId, 'accounts.email', kept.accountId, other?.email ?? null)).toBe(kept.email);
    const [keptSms] = await queryRows<{ id: string; text: string }>(
      t.database.db,
      sql`select s.id, s.text from activation_sms s join activations a on a.id = s.activation_id where a.account_id = ${kept.accountId}`,
    );
    expect(await openFor(ctx, kept.accountId, 'activation_sms.text', keptSms?.id as string, keptSms?.text ?? null)).toBe(
      texts.get(kept.accountId),
    );
    expect((await api(t, kept).list()).json().activations[0]).toMatchObject({
      phone: phones.get(kept.accountId),
      sms: [{ text: texts.get(kept.accountId) }],
    });
    expect(await t.database.db.select().from(activationSms)).toHaveLength(2);
  });
});
