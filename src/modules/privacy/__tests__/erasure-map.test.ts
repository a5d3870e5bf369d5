import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { queryRows } from '../../../db/client.ts';
import { OPEN_STATUSES } from '../../activations/index.ts';
import { DATA_MAP, type TableEntry } from '../data-map.ts';
import { deletionOrder, eraseOwnedData } from '../erasure/erase-data.ts';
import { ownedTables } from '../owner-paths.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

describe('erasure walks the data map', () => {
  it('can empty every column it is told to delete on rows that survive (none is NOT NULL)', async () => {
    const columns = await queryRows<{ table_name: string; column_name: string; is_nullable: string }>(
      database.db,
      sql`select table_name, column_name, is_nullable from information_schema.columns where table_schema = current_schema()`,
    );
    const notNull = new Set(columns.filter((c) => c.is_nullable === 'NO').map((c) => `${c.table_name}.${c.column_name}`));
    const blocked: string[] = [];
    for (const [table, entry] of Object.entries(DATA_MAP)) {
      for (const [name, column] of Object.entries(entry.columns))
        if (column.erasure === 'delete' && notNull.has(`${table}.${name}`)) blocked.push(`${table}.${name}`);
    }
    expect(blocked, 'declare a pseudonym for these NOT NULL columns instead of `delete`').toEqual([]);
  });

  it('holds rows only in tables it deletes, by a declared column, and holds every open order', () => {
    for (const [table, entry] of Object.entries(DATA_MAP) as [string, TableEntry][]) {
      if (!entry.erasureHold) continue;
      expect(entry.erasure, table).toBe('delete');
      expect(entry.columns, table).toHaveProperty(entry.erasureHold.column);
      expect(entry.erasureHold.why.length, table).toBeGreaterThan(20);
    }
    // The map spells the open statuses itself (privacy cannot import the order state table): kept equal here.
    expect(DATA_MAP.activations?.erasureHold?.values).toEqual([...OPEN_STATUSES]);
  });

  it('deletes children before the tables they point at', () => {
    const references = [
      { child: 'b', column: 'a_id', parent: 'a', parentColumn: 'id' },
      { child: 'c', column: 'b_id', parent: 'b', parentColumn: 'id' },
    ];
    expect(deletionOrder(['a', 'b', 'c'], { references })).toEqual(['c', 'b', 'a']);
    expect(() =>
      deletionOrder(['a', 'b'], { references: [...references, { child: 'a', column: 'b_id', parent: 'b', parentColumn: 'id' }] }),
    ).toThrow(/cycle/);
  });

  it('fails loudly when a personal column it must empty cannot be emptied', async () => {
    const map = {
      ...DATA_MAP,
      devices: { ...(DATA_MAP.devices as TableEntry), erasure: 'anonymise' as const },
    };
    map.devices.columns = { ...map.devices.columns, platform: { personal: true, erasure: 'delete' } };
    await expect(eraseOwnedData(database.db, 'acc_nobody', { map })).rejects.toThrow(/devices.platform .* NOT NULL/);
  });

  it('reaches every owned table the database has', async () => {
    const result = await eraseOwnedData(database.db, 'acc_nobody');
    expect(result).toEqual({ deleted: {}, emptied: {}, held: {} });
    expect(ownedTables().length).toBeGreaterThan(20);
  });
});
