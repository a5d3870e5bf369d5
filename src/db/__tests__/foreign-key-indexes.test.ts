import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { queryRows } from '../client.ts';

/**
 * Every foreign key has an index that leads with its column, unless its parent rows are never deleted.
 * PostgreSQL checks a foreign key for each parent row deleted (or sets the children's column to null)
 * by looking the children up; without such an index, each look reads the whole child table, and a
 * retention run or an erasure that deletes n parents reads the child table n times (migration 0029).
 */
const NEVER_DELETED: Record<string, string> = {
  'ledger_transfers.credit_account_id': 'ledger accounts cannot be deleted (trigger ledger_accounts_no_delete)',
  'payments.package_id': 'credit packages are disabled, never deleted',
  'subscriptions.package_id': 'credit packages are disabled, never deleted',
  'email_outbox.account_id': 'accounts are anonymised on erasure, never deleted (ADR 27)',
  'staff_access_log.staff_account_id': 'accounts are anonymised on erasure, never deleted (ADR 27)',
  'support_messages.staff_account_id': 'accounts are anonymised on erasure, never deleted (ADR 27)',
  'gateway_messages.number_id': 'pool numbers are marked removed, never deleted',
};

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.destroy();
});

describe('foreign keys and their indexes', () => {
  it('every foreign key whose parent rows can be deleted has an index leading with its column', async () => {
    const rows = await queryRows<{ key: string }>(
      database.db,
      sql`
      select c.conrelid::regclass::text || '.' || a.attname as key
      from pg_constraint c
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      where c.contype = 'f'
        and not exists (select 1 from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1])
      order by 1`,
    );
    expect(rows.map((row) => row.key)).toEqual(Object.keys(NEVER_DELETED).sort());
  });
});
