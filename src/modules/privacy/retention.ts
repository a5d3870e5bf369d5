import { is, type SQL, sql } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import type { Config } from '../../config.ts';
import { type Executor, queryRows } from '../../db/client.ts';
import * as schema from '../../db/schema/index.ts';
import { DATA_MAP, type Period, periodDays, type RetentionSetting, type TableEntry } from './data-map.ts';

/**
 * What retention removes, decided in one place from the data map and the settings in force: the
 * retention job purges these targets and `otpbox privacy retention --dry-run` counts them, so the two
 * cannot disagree (ASVS 14.2.7: deleted automatically, on a defined schedule).
 */

/** Rows of another table that point at a doomed row by a foreign key: they are deleted with it. */
export interface Dependent {
  table: string;
  /** The referencing column of `table`. */
  column: string;
  /** The referenced column of the target's table. */
  references: string;
}

export interface RetentionTarget {
  table: string;
  /** `delete` removes whole rows; `clear` empties `columns` and keeps the row. */
  action: 'delete' | 'clear';
  columns: string[];
  /** The time a row's age counts from. */
  after: string;
  days: number;
  /** The operator setting the period comes from (undefined: a technical period fixed in code). */
  setting: RetentionSetting | undefined;
  /** Rows whose `after` is before this are due. */
  cutoff: Date;
  dependents: Dependent[];
}

const DAY_MS = 86_400_000;

/**
 * Foreign keys between the tables of the schema, by referenced table. Read from the Drizzle schema
 * so that a new table pointing at a purged one is handled (or refused by the data-map test) at once.
 */
export function foreignKeysInto(table: string): Dependent[] {
  const found: Dependent[] = [];
  for (const value of Object.values(schema) as unknown[]) {
    if (!is(value, PgTable)) continue;
    const config = getTableConfig(value);
    for (const key of config.foreignKeys) {
      const reference = key.reference();
      if (getTableConfig(reference.foreignTable).name !== table) continue;
      const [column] = reference.columns;
      const [references] = reference.foreignColumns;
      if (reference.columns.length !== 1 || !column || !references) {
        throw new Error(`${config.name} → ${table}: retention handles single-column foreign keys only`);
      }
      found.push({ table: config.name, column: column.name, references: references.name });
    }
  }
  return found;
}

/** The targets of a retention run at `now`: children before the tables they point at, clearing last. */
export function retentionTargets(config: Config, now: Date, map: Record<string, TableEntry> = DATA_MAP): RetentionTarget[] {
  const target = (table: string, action: RetentionTarget['action'], after: string, period: Period, columns: string[] = []) => {
    const days = periodDays(period, config);
    return {
      table,
      action,
      columns,
      after,
      days,
      setting: period.setting,
      cutoff: new Date(now.getTime() - days * DAY_MS),
      dependents: action === 'delete' ? foreignKeysInto(table) : [],
    };
  };
  const deletes: RetentionTarget[] = [];
  const clears: RetentionTarget[] = [];
  for (const [table, entry] of Object.entries(map)) {
    const retention = entry.retention;
    if (retention.kind !== 'fixed') continue;
    deletes.push(target(table, 'delete', retention.column, retention));
    for (const clearing of retention.clear ?? []) clears.push(target(table, 'clear', clearing.after, clearing, clearing.columns));
  }
  // A child's own retention runs before its parent's, so what the parent takes along is only what is left.
  const parents = deletes.filter((t) => t.dependents.length > 0);
  return [...deletes.filter((t) => t.dependents.length === 0), ...parents, ...clears];
}

/** One target's outcome: rows deleted (or emptied), and the rows of dependent tables deleted with them. */
export interface TargetCount {
  target: RetentionTarget;
  rows: number;
  dependents: { table: string; rows: number }[];
}

const id = (name: string) => sql.identifier(name);

/** The rows of a target that are due: the one predicate both the dry run and the purge use. */
function due(target: RetentionTarget, targets: readonly RetentionTarget[]): SQL {
  const own = sql`${id(target.after)} < ${target.cutoff}`;
  if (target.action === 'delete') return own;
  const filled = sql.join(
    target.columns.map((column) => sql`${id(column)} is not null`),
    sql` or `,
  );
  // Rows the same run deletes first are not counted again as emptied.
  const deleted = targets.find((other) => other.action === 'delete' && other.table === target.table);
  return deleted ? sql`${own} and (${filled}) and not (${due(deleted, targets)})` : sql`${own} and (${filled})`;
}

/** The dependent rows of doomed parents that the child's own retention (which runs first) leaves. */
function dependentDue(dependent: Dependent, parents: SQL, targets: readonly RetentionTarget[]): SQL {
  const inDoomed = sql`${id(dependent.column)} in (${parents})`;
  const own = targets.find((other) => other.action === 'delete' && other.table === dependent.table);
  return own ? sql`${inDoomed} and not (${due(own, targets)})` : inDoomed;
}

const count = async (db: Executor, query: SQL) =>
  (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from ${query}`))[0]?.n ?? 0;

/** What the next run would do, counted without changing anything. */
export async function countRetention(db: Executor, targets: readonly RetentionTarget[]): Promise<TargetCount[]> {
  const counted: TargetCount[] = [];
  for (const target of targets) {
    const where = due(target, targets);
    const rows = await count(db, sql`${id(target.table)} where ${where}`);
    const dependents = [];
    for (const dependent of target.dependents) {
      const parents = sql`select ${id(dependent.references)} from ${id(target.table)} where ${where}`;
      dependents.push({
        table: dependent.table,
        rows: await count(db, sql`${id(dependent.table)} where ${dependentDue(dependent, parents, targets)}`),
      });
    }
    counted.push({ target, rows, dependents });
  }
  return counted;
}

/** Batches keep each statement (and its locks) short on big tables. */
export const RETENTION_BATCH = 5_000;

/**
 * Delete and empty what is due, target by target, in batches. Each batch is one statement: a parent's
 * rows and the rows pointing at them go together, so no foreign key ever dangles. Stops between
 * batches when `signal` aborts (`interrupted`); the next run carries on.
 */
export async function purgeRetention(
  db: Executor,
  targets: readonly RetentionTarget[],
  signal: AbortSignal,
  batch = RETENTION_BATCH,
): Promise<{ counts: TargetCount[]; interrupted: boolean }> {
  const counts: TargetCount[] = [];
  for (const target of targets) {
    const done: TargetCount = { target, rows: 0, dependents: target.dependents.map((d) => ({ table: d.table, rows: 0 })) };
    counts.push(done);
    for (;;) {
      if (signal.aborted) return { counts, interrupted: true };
      const [result] = await queryRows<Record<string, number>>(db, batchStatement(target, targets, batch));
      const rows = result?.n ?? 0;
      done.rows += rows;
      done.dependents.forEach((dependent, i) => {
        dependent.rows += result?.[`d${i}`] ?? 0;
      });
      if (rows < batch) break;
    }
  }
  return { counts, interrupted: false };
}

function batchStatement(target: RetentionTarget, targets: readonly RetentionTarget[], batch: number): SQL {
  const table = id(target.table);
  const keys = [...new Set(target.dependents.map((d) => d.references))].map((column) => sql`, ${id(column)}`);
  const doomed = sql`doomed as (select ctid${sql.join(keys)} from ${table} where ${due(target, targets)} limit ${batch})`;
  if (target.action === 'clear') {
    const set = sql.join(
      target.columns.map((column) => sql`${id(column)} = null`),
      sql`, `,
    );
    return sql`with ${doomed}, done as (update ${table} set ${set} where ctid in (select ctid from doomed) returning 1)
               select (select count(*) from done)::int as n`;
  }
  // Dependent rows go in the same statement: foreign keys are checked at its end, when both are gone.
  const children = target.dependents.map(
    (d, i) =>
      sql`, ${sql.raw(`d${i}`)} as (delete from ${id(d.table)} where ${dependentDue(d, sql`select ${id(d.references)} from doomed`, targets)} returning 1)`,
  );
  const counts = target.dependents.map((_, i) => sql`, (select count(*) from ${sql.raw(`d${i}`)})::int as ${sql.raw(`d${i}`)}`);
  return sql`with ${doomed}${sql.join(children)}, done as (delete from ${table} where ctid in (select ctid from doomed) returning 1)
             select (select count(*) from done)::int as n${sql.join(counts)}`;
}

/**
 * A run's counts as the job records them and the dry run totals them: rows deleted per table (with
 * those deleted along with a parent) and rows emptied per table and columns. Only what is non-zero.
 */
export function summariseRetention(counts: readonly TargetCount[]): { purged: Record<string, number>; cleared: Record<string, number> } {
  const purged: Record<string, number> = {};
  const cleared: Record<string, number> = {};
  const add = (into: Record<string, number>, key: string, rows: number) => {
    if (rows > 0) into[key] = (into[key] ?? 0) + rows;
  };
  for (const { target, rows, dependents } of counts) {
    if (target.action === 'clear') add(cleared, `${target.table}(${target.columns.join(', ')})`, rows);
    else add(purged, target.table, rows);
    for (const dependent of dependents) add(purged, dependent.table, dependent.rows);
  }
  return { purged, cleared };
}
