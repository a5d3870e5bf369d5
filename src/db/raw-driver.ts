import { entityKind } from 'drizzle-orm';
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
 * `executor.session` (the database's and a transaction's session), the entity kinds of the session
 * classes `NodePgSession` and `PgliteSession` (the names Drizzle's own `is` compares; comparing names
 * rather than importing the classes keeps each engine's driver unloaded until its database opens,
 * ADR 21), and their `client` property.
 */

type PgClient = { query: (config: { name: string; text: string; values: unknown[] }) => Promise<{ rows: unknown[] }> };
type PgliteClient = { query: (text: string, values: unknown[]) => Promise<{ rows: unknown[] }> };

/** The engine behind an executor, from the class of Drizzle's session (not guessed from the client's shape). */
export function engineOf(executor: Executor): Engine {
  const engine = sessionEngine(sessionOf(executor));
  if (engine === null) throw notADriver();
  return engine;
}

/** The Drizzle entity kind of each engine's session class. */
export const SESSION_KINDS: Readonly<Record<Engine, string>> = { postgres: 'NodePgSession', pglite: 'PgliteSession' };

const sessionOf = (executor: Executor): unknown => (executor as unknown as { session?: unknown }).session;
const notADriver = () => new Error('raw driver: this executor is neither a node-postgres nor a PGlite database or transaction');

type EntityClass = { [entityKind]?: unknown };
const engines = new WeakMap<object, Engine | null>();

/** The engine of a Drizzle session, as Drizzle's `is` finds a class: by the entity kinds along its class chain. */
function sessionEngine(session: unknown): Engine | null {
  if (typeof session !== 'object' || session === null) return null;
  const sessionClass = session.constructor as object;
  let engine = engines.get(sessionClass);
  if (engine === undefined) {
    engine = null;
    for (let type = sessionClass as EntityClass | null; type && engine === null; type = Object.getPrototypeOf(type)) {
      if (!Object.hasOwn(type, entityKind)) continue;
      if (type[entityKind] === SESSION_KINDS.postgres) engine = 'postgres';
      else if (type[entityKind] === SESSION_KINDS.pglite) engine = 'pglite';
    }
    engines.set(sessionClass, engine);
  }
  return engine;
}

/**
 * Rows of a fixed SQL text with positional parameters (`$1`…). A name must always stand for the same
 * text; a failure carries it, so logs name the statement instead of quoting it (lib/database-errors.ts).
 */
export async function rawRows<T>(executor: Executor, name: string, text: string, values: unknown[]): Promise<T[]> {
  const session = sessionOf(executor);
  const engine = sessionEngine(session);
  if (engine === null) throw notADriver();
  try {
    if (engine === 'postgres') {
      return (await (session as { client: PgClient }).client.query({ name, text, values })).rows as T[];
    }
    return (await (session as { client: PgliteClient }).client.query(text, values)).rows as T[];
  } catch (error) {
    nameStatement(error, name);
    throw error;
  }
}

/** A row as the driver returns it: database column names, driver values. */
export type DriverRow = Record<string, unknown>;

/** Rows of a statement (db/statement.ts), its values given by parameter name; the caller names the row's type. */
export function runStatement<N extends string>(executor: Executor, statement: Statement<N>, values: Values<N>): Promise<DriverRow[]> {
  return rawRows<DriverRow>(executor, statement.name, statement.text, statement.bind(values));
}
