import { is, sql } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { testConfig } from '../../../config.ts';
import { queryRows } from '../../../db/client.ts';
import * as schema from '../../../db/schema/index.ts';
import { SEALED_FIELDS } from '../../keyring/index.ts';
import { DATA_MAP, KEYRING_MAP, type TableEntry } from '../data-map.ts';
import { type LiveSchema, ownedRows, ownedTables, ownerPathProblems } from '../owner-paths.ts';
import { foreignKeysInto } from '../retention.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

const drizzleTables = (Object.values(schema) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => getTableConfig(table));

describe('data map', () => {
  it('declares every table and column of the migrated database, and nothing that does not exist', async () => {
    const columns = await queryRows<{ table_name: string; column_name: string }>(
      database.db,
      sql`select table_name, column_name from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position`,
    );
    const inDatabase = new Map<string, Set<string>>();
    for (const { table_name, column_name } of columns) {
      if (!inDatabase.has(table_name)) inDatabase.set(table_name, new Set());
      inDatabase.get(table_name)?.add(column_name);
    }
    const undeclared: string[] = [];
    for (const [table, cols] of inDatabase) {
      const entry = DATA_MAP[table];
      if (!entry) {
        undeclared.push(`table ${table}`);
        continue;
      }
      for (const column of cols) if (!(column in entry.columns)) undeclared.push(`column ${table}.${column}`);
    }
    expect(undeclared, 'add these to src/modules/privacy/data-map.ts').toEqual([]);

    const stale: string[] = [];
    for (const [table, entry] of Object.entries(DATA_MAP)) {
      const cols = inDatabase.get(table);
      if (!cols) stale.push(`table ${table}`);
      else for (const column of Object.keys(entry.columns)) if (!cols.has(column)) stale.push(`column ${table}.${column}`);
    }
    expect(stale, 'remove these from src/modules/privacy/data-map.ts').toEqual([]);
  });

  it('declares the keyring schema apart, every table and column of it', async () => {
    const columns = await queryRows<{ table_name: string; column_name: string }>(
      database.db,
      sql`select table_name, column_name from information_schema.columns where table_schema = 'keyring' order by table_name, column_name`,
    );
    const declared = Object.entries(KEYRING_MAP).flatMap(([table, entry]) =>
      Object.keys(entry.columns).map((column) => `${table}.${column}`),
    );
    expect(columns.map((c) => `${c.table_name}.${c.column_name}`).sort()).toEqual(declared.sort());
    for (const table of drizzleTables.filter((t) => t.schema === 'keyring')) expect(KEYRING_MAP[table.name], table.name).toBeDefined();
  });

  it('marks the keyring’s sealed fields exported opened (or withheld), and nothing else as sealed', () => {
    const marked = Object.entries(DATA_MAP).flatMap(([table, entry]) =>
      Object.entries(entry.columns).flatMap(([column, c]) => (c.export === 'sealed' ? [`${table}.${column}`] : [])),
    );
    const withheld = SEALED_FIELDS.filter((field) => {
      const [table, column] = field.split('.') as [string, string];
      return typeof DATA_MAP[table]?.columns[column]?.export === 'object';
    });
    expect(withheld.sort()).toEqual(['email_outbox.body_text', 'idempotency_keys.response_body']);
    expect(marked.sort()).toEqual(SEALED_FIELDS.filter((field) => !withheld.includes(field)).sort());
    // The export opens a value with its row's id.
    for (const field of marked) expect(DATA_MAP[field.split('.')[0] as string]?.columns.id, `${field} needs an id column`).toBeDefined();
  });

  it('covers the Drizzle schema too (tables defined but not yet migrated)', () => {
    const undeclared = drizzleTables
      .filter((table) => table.schema !== 'keyring')
      .flatMap((table) =>
        DATA_MAP[table.name]
          ? table.columns.filter((column) => !(column.name in (DATA_MAP[table.name]?.columns ?? {}))).map((c) => `${table.name}.${c.name}`)
          : [table.name],
      );
    expect(drizzleTables.length).toBeGreaterThan(0);
    expect(undeclared).toEqual([]);
  });

  it('gives every fixed retention a real timestamp column to count from, and a period', () => {
    const settings = Object.keys(testConfig().retentionDays);
    for (const [table, entry] of Object.entries(DATA_MAP)) {
      const retention = entry.retention;
      if (retention.kind !== 'fixed' && retention.kind !== 'legal_period') continue;
      const periods = [
        { ...retention, after: retention.column, columns: [] as string[] },
        ...(retention.kind === 'fixed' ? (retention.clear ?? []) : []),
      ];
      for (const period of periods) {
        expect(entry.columns[period.after], `${table}.${period.after}`).toBeDefined();
        for (const column of period.columns) expect(entry.columns[column]?.personal, `${table}.${column} is cleared`).toBe(true);
        if (period.setting === undefined) expect(period.days, table).toBeGreaterThan(0);
        else expect(settings, `${table} names a setting that does not exist`).toContain(period.setting);
      }
    }
  });

  it('uses every retention setting somewhere', () => {
    const used = new Set(
      Object.values(DATA_MAP).flatMap(({ retention }) =>
        retention.kind === 'fixed' || retention.kind === 'legal_period'
          ? [retention.setting, ...(retention.kind === 'fixed' ? (retention.clear ?? []).map((c) => c.setting) : [])]
          : [],
      ),
    );
    expect(Object.keys(testConfig().retentionDays).filter((setting) => !used.has(setting as never))).toEqual([]);
  });

  it('declares what erasure does to each personal column of a row that survives it', () => {
    const undeclared: string[] = [];
    for (const [table, entry] of Object.entries(DATA_MAP)) {
      for (const [name, column] of Object.entries(entry.columns)) {
        const survives = entry.erasure === 'anonymise' || entry.erasure === 'keep_for_legal_period';
        if (column.personal && survives && column.erasure === undefined) undeclared.push(`${table}.${name}`);
        // Where erasure deletes the row, a column cannot be kept or pseudonymised on its own.
        if (!survives) expect(column.erasure, `${table}.${name}`).toBeUndefined();
        if (!column.personal) expect(column.erasure, `${table}.${name} is not personal`).toBeUndefined();
      }
      // A table anonymised on erasure must remove or pseudonymise something.
      if (entry.erasure === 'anonymise') {
        expect(
          Object.values(entry.columns).some((c) => c.erasure === 'delete' || c.erasure === 'pseudonymise'),
          table,
        ).toBe(true);
      }
    }
    expect(undeclared, 'declare `erasure` on these columns in src/modules/privacy/data-map.ts').toEqual([]);
  });

  it('never purges a row that a kept row points at: whatever points at a purged table is purged too', () => {
    for (const [table, entry] of Object.entries(DATA_MAP)) {
      if (entry.retention.kind !== 'fixed') continue;
      for (const dependent of foreignKeysInto(table)) {
        const child = DATA_MAP[dependent.table];
        expect(child?.retention.kind, `${dependent.table}.${dependent.column} points at ${table}, whose rows retention deletes`).toBe(
          'fixed',
        );
        // One level only: the purge deletes a parent's children in its own statement, not their children.
        expect(foreignKeysInto(dependent.table), `${dependent.table} has children of its own`).toEqual([]);
      }
    }
  });

  it('never declares personal data in a table marked not personal', () => {
    for (const [table, entry] of Object.entries(DATA_MAP)) {
      const personal = Object.entries(entry.columns).filter(([, column]) => column.personal);
      if (entry.erasure === 'not_personal') expect(personal.map(([name]) => `${table}.${name}`)).toEqual([]);
      else expect(personal.length, `${table} is erased but declares no personal column`).toBeGreaterThan(0);
    }
  });
});

async function liveSchema(): Promise<LiveSchema> {
  const columns = new Map<string, Set<string>>();
  const rows = await queryRows<{ table_name: string; column_name: string }>(
    database.db,
    sql`select table_name, column_name from information_schema.columns where table_schema = 'public'`,
  );
  for (const { table_name, column_name } of rows) {
    if (!columns.has(table_name)) columns.set(table_name, new Set());
    columns.get(table_name)?.add(column_name);
  }
  const keys = await queryRows<{ table_name: string; column_name: string; target: string }>(
    database.db,
    sql`select kcu.table_name, kcu.column_name, ccu.table_name as target
          from information_schema.table_constraints tc
          join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
          join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.table_schema = tc.table_schema
         where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = 'public'`,
  );
  return { columns, references: new Map(keys.map((key) => [`${key.table_name}.${key.column_name}`, key.target])) };
}

/** Names that say a column holds a secret or a hash of one. */
const SECRET_LIKE = /(^|_)(hash|secret|password|encrypted|token)(_|$)/;

describe('owner paths (how each row belongs to an account)', () => {
  it('gives every table an owner path, or none with a reason, naming real tables and columns', async () => {
    expect(ownerPathProblems(DATA_MAP, await liveSchema())).toEqual([]);
  });

  it('fails when a table holding personal data is left without an owner path', async () => {
    const schema = await liveSchema();
    const withoutOwner = (table: string): Record<string, TableEntry> => ({
      ...DATA_MAP,
      [table]: { ...(DATA_MAP[table] as TableEntry), owner: { none: 'left out by mistake for this test' } },
    });
    expect(ownerPathProblems(withoutOwner('activations'), schema)).toContain(
      'activations: declares no owner but account_id points at an account (through accounts)',
    );
    // A child table (no account column of its own) is caught by its key to an owned parent.
    expect(ownerPathProblems(withoutOwner('webhook_deliveries'), schema)).toContain(
      'webhook_deliveries: declares no owner but endpoint_id points at an account (through webhook_endpoints)',
    );
    const wrongColumn = { ...DATA_MAP, devices: { ...(DATA_MAP.devices as TableEntry), owner: { column: 'acount_id' } } };
    expect(ownerPathProblems(wrongColumn, schema)).toContain('devices: owner column acount_id does not exist');
    const cycle = {
      ...DATA_MAP,
      ledger_accounts: {
        ...(DATA_MAP.ledger_accounts as TableEntry),
        owner: { via: 'ledger_entries', column: 'id', parentColumn: 'account_id' },
      },
    };
    expect(ownerPathProblems(cycle, schema).some((problem) => problem.includes('cycle'))).toBe(true);
  });

  it('compiles every owner path into SQL the database runs, two levels of parents included', async () => {
    for (const table of ownedTables()) {
      const condition = ownedRows(table, 'acc_nobody');
      expect(condition, table).toBeDefined();
      await queryRows(database.db, sql`select count(*) from ${sql.identifier(table)} where ${condition}`);
    }
    expect(ownedTables()).toEqual(
      expect.arrayContaining(['ledger_entries', 'ledger_transfers', 'webhook_deliveries', 'bitcoin_transactions']),
    );
  });

  it('never exports a secret or a hash, and says why it is withheld', () => {
    const exported: string[] = [];
    for (const [table, entry] of Object.entries(DATA_MAP)) {
      for (const [name, column] of Object.entries(entry.columns)) {
        if (column.export !== undefined && typeof column.export === 'object')
          expect(column.export.withheld.length, `${table}.${name}`).toBeGreaterThan(10);
        if (SECRET_LIKE.test(name) && (column.export === undefined || column.export === 'staff_ref')) exported.push(`${table}.${name}`);
      }
    }
    expect(exported, 'mark these `export: { withheld: why }` in the data map').toEqual([]);
  });
});
