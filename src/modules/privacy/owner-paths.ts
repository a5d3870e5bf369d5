import { type SQL, sql } from 'drizzle-orm';
import { DATA_MAP, type Owner, type TableEntry } from './data-map.ts';

/**
 * The owner paths of the data map, as SQL and as checks. Export walks them today and erasure will walk
 * the same ones, so "which rows are this account's" is answered in one place: the map.
 */

type DataMap = Readonly<Record<string, TableEntry>>;

/** Deeper than any real chain (ledger entries → wallets → account is two): a longer one is a cycle. */
const MAX_DEPTH = 6;

const columnsOf = (owner: Exclude<Owner, { none: string }>): readonly string[] =>
  typeof owner.column === 'string' ? [owner.column] : owner.column;

/**
 * The condition that selects the rows of `table` belonging to `accountId` (qualified by table name, so
 * it can stand inside the parents' subqueries), or `undefined` when the table declares no owner.
 */
export function ownedRows(table: string, accountId: string, map: DataMap = DATA_MAP, depth = 0): SQL | undefined {
  const owner = map[table]?.owner;
  if (!owner) throw new Error(`${table} is not in the data map`);
  if ('none' in owner) return undefined;
  if (depth > MAX_DEPTH) throw new Error(`the owner path of ${table} does not end at an account (a cycle?)`);
  const columns = columnsOf(owner).map((column) => sql`${sql.identifier(table)}.${sql.identifier(column)}`);
  if (owner.via === undefined)
    return sql`(${sql.join(
      columns.map((column) => sql`${column} = ${accountId}`),
      sql` or `,
    )})`;
  const parent = ownedRows(owner.via, accountId, map, depth + 1);
  if (!parent) throw new Error(`${table} is owned through ${owner.via}, which declares no owner`);
  const parents = sql`select ${sql.identifier(owner.via)}.${sql.identifier(owner.parentColumn ?? 'id')} from ${sql.identifier(owner.via)} where ${parent}`;
  return sql`(${sql.join(
    columns.map((column) => sql`${column} in (${parents})`),
    sql` or `,
  )})`;
}

/** The tables whose rows can belong to an account, in the map's order. */
export const ownedTables = (map: DataMap = DATA_MAP): string[] =>
  Object.keys(map).filter((table) => !('none' in (map[table] as TableEntry).owner));

/** What the database says about its tables, for checking the owner paths against it. */
export interface LiveSchema {
  /** table → its columns */
  columns: ReadonlyMap<string, ReadonlySet<string>>;
  /** Foreign keys: `table.column` → the table it references. */
  references: ReadonlyMap<string, string>;
}

/** Column names that hold an account id wherever they appear. */
const ACCOUNT_COLUMNS = new Set(['account_id', 'owner_account_id']);

/**
 * Everything wrong with the owner paths of `map` against `schema`, in words (empty when sound):
 * a path naming a table or column that does not exist or a parent without an owner; a path that does
 * not end at an account; `none` without a reason; `none` on a table that points at an account (a
 * foreign key to `accounts`, or to a table that is owned, or a column named like an account id) —
 * so a table holding personal data cannot be left out of export and erasure by mistake.
 */
export function ownerPathProblems(map: DataMap, schema: LiveSchema): string[] {
  const problems: string[] = [];
  const owned = new Set(ownedTables(map));
  for (const [table, entry] of Object.entries(map)) {
    const owner = entry.owner;
    if ('none' in owner) {
      if (owner.none.trim().length < 10) problems.push(`${table}: owner none needs a reason`);
      for (const column of schema.columns.get(table) ?? []) {
        const target = schema.references.get(`${table}.${column}`);
        if (ACCOUNT_COLUMNS.has(column) || target === 'accounts' || (target !== undefined && owned.has(target))) {
          problems.push(`${table}: declares no owner but ${column} points at an account${target ? ` (through ${target})` : ''}`);
        }
      }
      continue;
    }
    const columns = schema.columns.get(table);
    for (const column of columnsOf(owner)) {
      if (!columns?.has(column)) problems.push(`${table}: owner column ${column} does not exist`);
      if (!(column in entry.columns)) problems.push(`${table}: owner column ${column} is not declared in the map`);
    }
    if (owner.via !== undefined) {
      const parentColumns = schema.columns.get(owner.via);
      if (!parentColumns) problems.push(`${table}: parent table ${owner.via} does not exist`);
      else if (!parentColumns.has(owner.parentColumn ?? 'id'))
        problems.push(`${table}: ${owner.via}.${owner.parentColumn ?? 'id'} does not exist`);
    }
    try {
      ownedRows(table, 'acc_check', map);
    } catch (error) {
      problems.push(`${table}: ${(error as Error).message}`);
    }
    const hasPersonal = Object.values(entry.columns).some((column) => column.personal);
    if (!hasPersonal) problems.push(`${table}: has an owner but declares no personal column`);
  }
  return problems;
}
