import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { queryRows } from '../../../db/client.ts';

/**
 * P8: no card or bank details and no crypto private keys are stored. The schema is the proof: no
 * column of any table (the migrated database, payments and everything else) is named for such data.
 */
const FORBIDDEN_WORDS = ['card', 'pan', 'cvc', 'cvv', 'cvv2', 'iban', 'bic', 'swift', 'mnemonic', 'seed', 'xprv', 'xpriv', 'wif'];
const FORBIDDEN_PHRASES = [
  'private_key',
  'card_number',
  'account_number',
  'routing_number',
  'sort_code',
  'expiry_month',
  'exp_month',
  'exp_year',
];

function forbiddenColumn(name: string): boolean {
  const words = name.toLowerCase().split(/[^a-z0-9]+/);
  return words.some((word) => FORBIDDEN_WORDS.includes(word)) || FORBIDDEN_PHRASES.some((phrase) => name.toLowerCase().includes(phrase));
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

describe('no card, bank or wallet-key data in the schema (P8)', () => {
  it('recognises the names it is looking for', () => {
    for (const name of ['card_number', 'pan', 'card_last4', 'cvc', 'iban', 'wallet_private_key', 'seed', 'mnemonic', 'exp_month']) {
      expect(forbiddenColumn(name), name).toBe(true);
    }
    for (const name of ['pending_at', 'company', 'expires_at', 'processor_ref', 'method', 'span_id'])
      expect(forbiddenColumn(name), name).toBe(false);
  });

  it('no column of any table is named for card, bank or wallet-key data', async () => {
    const columns = await queryRows<{ table_name: string; column_name: string }>(
      database.db,
      sql`select table_name, column_name from information_schema.columns where table_schema = 'public'`,
    );
    expect(columns.some((c) => c.table_name === 'payments')).toBe(true);
    const found = columns.filter((c) => forbiddenColumn(c.column_name) || forbiddenColumn(c.table_name));
    expect(found.map((c) => `${c.table_name}.${c.column_name}`)).toEqual([]);
  });
});
