import { is, sql } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { queryRows } from '../../../db/client.ts';
import * as schema from '../../../db/schema/index.ts';
import { DATA_MAP } from '../data-map.ts';

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

  it('covers the Drizzle schema too (tables defined but not yet migrated)', () => {
    const undeclared = drizzleTables.flatMap((table) =>
      DATA_MAP[table.name]
        ? table.columns.filter((column) => !(column.name in (DATA_MAP[table.name]?.columns ?? {}))).map((c) => `${table.name}.${c.name}`)
        : [table.name],
    );
    expect(drizzleTables.length).toBeGreaterThan(0);
    expect(undeclared).toEqual([]);
  });

  it('gives every fixed retention a real timestamp column to count from', () => {
    for (const [table, entry] of Object.entries(DATA_MAP)) {
      if (entry.retention.kind !== 'fixed') continue;
      expect(entry.columns[entry.retention.column], `${table}.${entry.retention.column}`).toBeDefined();
      expect(entry.retention.days, table).toBeGreaterThan(0);
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
