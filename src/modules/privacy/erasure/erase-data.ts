import { type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../../db/client.ts';
import { DATA_MAP, type TableEntry } from '../data-map.ts';
import { ownedRows, ownedTables } from '../owner-paths.ts';

/**
 * The erasure of an account's personal data, walked from the data map (ADR 27) as the export walks
 * it — no list of tables here, so a table added to the map is erased by its declaration:
 * - rows of `delete` tables that belong to the account are deleted, children before parents (by the
 *   database's foreign keys), except the rows a table's `erasureHold` keeps for now and the parents
 *   such kept rows still point at;
 * - on rows of tables that survive (`anonymise`, `keep_for_legal_period`), the columns declared
 *   `erasure: 'delete'` are emptied; `pseudonymise` columns hold the account id, which stays as the
 *   pseudonym the transaction records point at; `keep_for_legal_period` columns stay.
 * Runs in the caller's transaction. `force` ignores the holds (the 30 days are nearly over).
 */

type DataMap = Readonly<Record<string, TableEntry>>;

export interface DataErasure {
  /** Rows deleted, by table. */
  deleted: Record<string, number>;
  /** Rows whose personal columns were emptied, by table. */
  emptied: Record<string, number>;
  /** Rows still kept by a hold, by table: the erasure job deletes them later. */
  held: Record<string, number>;
}

interface LiveSchema {
  columns: Map<string, Map<string, { nullable: boolean }>>;
  /** Foreign keys: child table, its column, the parent table and column. */
  references: { child: string; column: string; parent: string; parentColumn: string }[];
}

const id = (name: string) => sql.identifier(name);
const column = (table: string, name: string) => sql`${id(table)}.${id(name)}`;

export async function eraseOwnedData(
  db: Executor,
  accountId: string,
  options: { force?: boolean; map?: DataMap } = {},
): Promise<DataErasure> {
  const map = options.map ?? DATA_MAP;
  const schema = await liveSchema(db);
  const result: DataErasure = { deleted: {}, emptied: {}, held: {} };
  const owned = ownedTables(map).filter((table) => schema.columns.has(table));
  const deleting = deletionOrder(
    owned.filter((table) => map[table]?.erasure === 'delete'),
    schema,
  );

  for (const table of deleting) {
    const conditions = [ownedRows(table, accountId, map) as SQL];
    const hold = (map[table] as TableEntry).erasureHold;
    if (hold && !options.force) conditions.push(sql`not (${heldCondition(table, hold)})`);
    // Rows of other tables erasure deletes that still point here are held ones: their parent waits with them.
    for (const ref of schema.references) {
      if (ref.parent !== table || ref.child === table || !deleting.includes(ref.child)) continue;
      conditions.push(
        sql`not exists (select 1 from ${id(ref.child)} where ${column(ref.child, ref.column)} = ${column(table, ref.parentColumn)})`,
      );
    }
    const deleted = await queryRows<{ n: number }>(
      db,
      sql`with gone as (delete from ${id(table)} where ${sql.join(conditions, sql` and `)} returning 1) select count(*)::int as n from gone`,
    );
    if (deleted[0]?.n) result.deleted[table] = deleted[0].n;
  }

  for (const table of owned) {
    const entry = map[table] as TableEntry;
    if (entry.erasure !== 'anonymise' && entry.erasure !== 'keep_for_legal_period') continue;
    const live = schema.columns.get(table) as Map<string, { nullable: boolean }>;
    const emptied = Object.entries(entry.columns)
      .filter(([name, c]) => c.erasure === 'delete' && live.has(name))
      .map(([name]) => name);
    if (emptied.length === 0) continue;
    for (const name of emptied) {
      if (!live.get(name)?.nullable) {
        throw new Error(`${table}.${name} is declared erasure 'delete' but is NOT NULL: declare a pseudonym for it instead`);
      }
    }
    const set = sql.join(
      emptied.map((name) => sql`${id(name)} = null`),
      sql`, `,
    );
    const anySet = sql.join(
      emptied.map((name) => sql`${column(table, name)} is not null`),
      sql` or `,
    );
    const updated = await queryRows<{ n: number }>(
      db,
      sql`with done as (update ${id(table)} set ${set} where ${ownedRows(table, accountId, map) as SQL} and (${anySet}) returning 1)
          select count(*)::int as n from done`,
    );
    if (updated[0]?.n) result.emptied[table] = updated[0].n;
  }

  for (const table of deleting) {
    const [left] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from ${id(table)} where ${ownedRows(table, accountId, map) as SQL}`,
    );
    if (left?.n) result.held[table] = left.n;
  }
  return result;
}

function heldCondition(table: string, hold: NonNullable<TableEntry['erasureHold']>): SQL {
  return sql`${column(table, hold.column)} in (${sql.join(
    hold.values.map((value) => sql`${value}`),
    sql`, `,
  )})`;
}

/** The tables in an order where each comes before every table it points at (children first). */
export function deletionOrder(tables: readonly string[], schema: Pick<LiveSchema, 'references'>): string[] {
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (table: string) => {
    if (ordered.includes(table)) return;
    if (visiting.has(table)) throw new Error(`foreign keys between ${table} and its children form a cycle`);
    visiting.add(table);
    // Children (tables pointing at this one) are deleted first.
    for (const ref of schema.references) if (ref.parent === table && ref.child !== table && tables.includes(ref.child)) visit(ref.child);
    visiting.delete(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}

async function liveSchema(db: Executor): Promise<LiveSchema> {
  const columns = await queryRows<{ table_name: string; column_name: string; is_nullable: string }>(
    db,
    sql`select table_name, column_name, is_nullable from information_schema.columns where table_schema = current_schema()`,
  );
  const references = await queryRows<{ child: string; column: string; parent: string; parent_column: string }>(
    db,
    sql`select cc.relname as child, a.attname as column, pc.relname as parent, pa.attname as parent_column
          from pg_constraint c
          join pg_class cc on cc.oid = c.conrelid
          join pg_class pc on pc.oid = c.confrelid
          join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
          join pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = c.confkey[1]
         where c.contype = 'f' and c.connamespace = (select oid from pg_namespace where nspname = current_schema())`,
  );
  const byTable = new Map<string, Map<string, { nullable: boolean }>>();
  for (const row of columns) {
    const table = byTable.get(row.table_name) ?? new Map();
    table.set(row.column_name, { nullable: row.is_nullable === 'YES' });
    byTable.set(row.table_name, table);
  }
  return {
    columns: byTable,
    references: references.map((r) => ({ child: r.child, column: r.column, parent: r.parent, parentColumn: r.parent_column })),
  };
}
