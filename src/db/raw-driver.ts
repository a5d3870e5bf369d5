import { is } from 'drizzle-orm';
import { NodePgSession } from 'drizzle-orm/node-postgres';
import { PgliteSession } from 'drizzle-orm/pglite';
import { nameStatement } from '../lib/database-errors.ts';
import type { Engine, Executor } from './client.ts';
import type { Statement, Values } from './statement.ts';

/**
 * The one place that reaches past Drizzle to its driver (ADR 12). The hot paths' statements are
 * constant texts: on PostgreSQL they run as named prepared statements (parsed and planned once per
 * connection), which Drizzle's `execute` cannot do, so they go to the driver client that Drizzle's
 * session holds — the pool, or inside a transaction the transaction's connection — and on PGlite to
 * its client (or the open transaction) as a plain parameterised query.
 *
 * Drizzle internals used, pinned by src/db/__tests__/raw-driver.test.ts to the installed version:
 * `executor.session` (the database's and a transaction's session), the session classes
 * `NodePgSession` and `PgliteSession` (exported, compared with Drizzle's own `is`), and their
 * `client` property.
 */

type PgClient = { query: (config: { name: string; text: string; values: unknown[] }) => Promise<{ rows: unknown[] }> };
type PgliteClient = { query: (text: string, values: unknown[]) => Promise<{ rows: unknown[] }> };

/** The engine behind an executor, from the class of Drizzle's session (not guessed from the client's shape). */
export function engineOf(executor: Executor): Engine {
  const session = sessionOf(executor);
  if (is(session, NodePgSession)) return 'postgres';
  if (is(session, PgliteSession)) return 'pglite';
  throw new Error('raw driver: this executor is neither a node-postgres nor a PGlite database or transaction');
}

const sessionOf = (executor: Executor): unknown => (executor as unknown as { session?: unknown }).session;

/**
 * Rows of a fixed SQL text with positional parameters (`$1`…). A name must always stand for the same
 * text; a failure carries it, so logs name the statement instead of quoting it (lib/database-errors.ts).
 */
export async function rawRows<T>(executor: Executor, name: string, text: string, values: unknown[]): Promise<T[]> {
  const session = sessionOf(executor);
  try {
    if (is(session, NodePgSession)) {
      return (await (session as unknown as { client: PgClient }).client.query({ name, text, values })).rows as T[];
    }
    if (is(session, PgliteSession)) {
      return (await (session as unknown as { client: PgliteClient }).client.query(text, values)).rows as T[];
    }
  } catch (error) {
    nameStatement(error, name);
    throw error;
  }
  throw new Error('raw driver: this executor is neither a node-postgres nor a PGlite database or transaction');
}

/** A row as the driver returns it: database column names, driver values. */
export type DriverRow = Record<string, unknown>;

/** Rows of a statement (db/statement.ts), its values given by parameter name; the caller names the row's type. */
export function runStatement<N extends string>(executor: Executor, statement: Statement<N>, values: Values<N>): Promise<DriverRow[]> {
  return rawRows<DriverRow>(executor, statement.name, statement.text, statement.bind(values));
}
