/**
 * What may be said about a failed statement. Drizzle's error message is the statement's SQL followed
 * by every parameter value (`Failed query: insert into "api_keys" … params: key_…,acc_…,<name>,otp_live_…,
 * <key hash>`), PGlite's errors carry `query` and `params`, and PostgreSQL's own message and detail
 * can quote a value (`invalid input syntax for type integer: "…"`, `Key (email)=(…) already exists`).
 * None of that may reach a log line, a stored error or a terminal: a database error is told by the
 * statement's name, its SQLSTATE and the schema objects PostgreSQL names (table, column, constraint,
 * the server routine that refused it), which hold no values.
 *
 * Shapes, not classes: node-postgres, PGlite and Drizzle each have their own error types.
 */

/** A summary of a database error that holds no parameter value and no SQL beyond its first keywords. */
export interface DatabaseErrorSummary {
  /** The prepared statement's name (`otpbox_…`), else the statement's first keywords (`insert into api_keys`). */
  statement?: string;
  /** SQLSTATE (`22021`), or the system error code of a connection failure (`ECONNREFUSED`). */
  code?: string;
  /** The SQLSTATE class in words (`data exception`). */
  condition?: string;
  routine?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  dataType?: string;
  /** The driver's words for a failure on our side of the connection (they hold no value). */
  reason?: string;
}

type ErrorLike = Record<string, unknown>;

const STATEMENT = Symbol('otpbox.statement');
const SQLSTATE = /^[0-9A-Z]{5}$/;
const SYSTEM_CODE = /^E[A-Z0-9_]+$/;
/** node-postgres and PGlite messages about the connection or the pool, never about a value. */
const CLIENT_FAILURES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^Cannot use a pool after calling end on the pool$/,
  /^Query read timeout$/,
  /^PGlite is closed$/,
];
const SAFE_FIELDS = ['routine', 'schema', 'table', 'column', 'constraint', 'dataType'] as const;

/** Remember which prepared statement failed (db/raw-driver.ts `rawRows`), for the summary. */
export function nameStatement(error: unknown, name: string): void {
  if (error && typeof error === 'object' && !(STATEMENT in error)) Object.defineProperty(error, STATEMENT, { value: name });
}

/** The summary of `error` when it, or an error it wraps, comes from the database; else undefined. */
export function summarizeDatabaseError(error: unknown): DatabaseErrorSummary | undefined {
  const chain = causeChain(error);
  const server = chain.find(isServerError);
  const query = chain.find(isQueryError);
  const named = chain.find((e) => STATEMENT in e);
  if (!server && !query && !named) return undefined;
  const summary: DatabaseErrorSummary = {};
  const statement = named ? String((named as Record<symbol, unknown>)[STATEMENT]) : statementOfQuery(chain);
  if (statement) summary.statement = statement;
  if (server) {
    summary.code = server.code as string;
    const condition = CONDITIONS[(server.code as string).slice(0, 2)];
    if (condition) summary.condition = condition;
    for (const field of SAFE_FIELDS) {
      const value = server[field];
      if (typeof value === 'string' && value !== '') summary[field] = value;
    }
    return summary;
  }
  const coded = chain.find((e) => typeof e.code === 'string' && (SQLSTATE.test(e.code) || SYSTEM_CODE.test(e.code)));
  if (coded) summary.code = coded.code as string;
  const client = chain.find(
    (e) => typeof e.message === 'string' && (isSystemError(e) || CLIENT_FAILURES.some((re) => re.test(e.message as string))),
  );
  if (client) summary.reason = client.message as string;
  return summary;
}

/** One line about a database error, with nothing from its parameters. */
export function describeDatabaseError(summary: DatabaseErrorSummary): string {
  const what = summary.statement ? `database statement ${summary.statement} failed` : 'database statement failed';
  const code = summary.code ? `: ${summary.code}${summary.condition ? ` (${summary.condition})` : ''}` : '';
  const where = [summary.constraint && `constraint ${summary.constraint}`, summary.routine && `routine ${summary.routine}`].filter(Boolean);
  const reason = summary.reason ? ` — ${summary.reason}` : '';
  return `${what}${code}${where.length > 0 ? `, ${where.join(', ')}` : ''}${reason}`;
}

/**
 * An error's message fit to be logged, stored or shown to an operator: a database error's summary,
 * any other error's own message.
 */
export function safeErrorMessage(error: unknown): string {
  const summary = summarizeDatabaseError(error);
  if (summary) return describeDatabaseError(summary);
  return error instanceof Error ? error.message : String(error);
}

/** The stack frames of an error, without its message (which, for Drizzle, holds the parameters). */
export function stackFrames(error: Error): string | undefined {
  if (typeof error.stack !== 'string') return undefined;
  const at = error.message ? error.stack.indexOf(error.message) : -1;
  const rest = at >= 0 ? error.stack.slice(at + error.message.length) : error.stack;
  const frames = rest.split('\n').filter((line) => /^\s+at .*:\d+:\d+\)?$/.test(line));
  return frames.length > 0 ? frames.join('\n') : undefined;
}

/** SQLSTATE classes that mean the database cannot be reached or is going away (not the statement's fault). */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin shutdown
  '57P02', // crash shutdown
  '57P03', // cannot connect now
  '53300', // too many connections
  '57014', // query canceled: the statement outlasted DB_STATEMENT_TIMEOUT_MS (a lock never granted, a stuck server; ADR 50)
  '25P03', // a transaction left idle past the same bound: its session was ended
]);
const UNAVAILABLE_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True when `error` says the database is unreachable right now (refused, reset or terminated
 * connections, a pool with no connection to give, a server shutting down or starting up, SQLSTATE
 * class 08), or did not answer within the statement bound, rather than that a statement was wrong:
 * worth a 503 and a retry, not a 500. A bare network failure counts too (a transaction's connection
 * is taken outside any statement): while a request is served, the database is the only connection
 * that throws one — providers and webhooks answer typed failures.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const link of causeChain(error)) {
    const code = link.code;
    if (typeof code === 'string') {
      if (SQLSTATE.test(code) && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code))) return true;
      if (UNAVAILABLE_SYSTEM_CODES.has(code)) return true;
    }
    if (typeof link.message === 'string' && CLIENT_FAILURES.some((re) => re.test(link.message as string))) return true;
  }
  return false;
}

/**
 * The first keywords of a SQL text, with the table they act on: `insert into api_keys`,
 * `update activations`, `select from ledger_accounts`. Identifiers only: a literal never matches.
 */
export function statementLabel(sql: string): string | undefined {
  const verb =
    /^\s*(with|select|insert\s+into|update|delete\s+from|begin|commit|rollback|savepoint|release|set|lock|notify|listen|unlisten|call|truncate|create|alter|drop)\b/i.exec(
      sql,
    )?.[1];
  if (!verb) return undefined;
  const keyword = verb.toLowerCase().replace(/\s+/g, ' ');
  const identifier = '"?([A-Za-z_][\\w$]*)"?(?:\\."?([A-Za-z_][\\w$]*)"?)?';
  const target =
    keyword === 'select' || keyword === 'with'
      ? new RegExp(`\\bfrom\\s+${identifier}`, 'i').exec(sql)
      : new RegExp(`^\\s*${verb.replace(/\s+/g, '\\s+')}\\s+${identifier}`, 'i').exec(sql);
  const table = target ? (target[2] ?? target[1]) : undefined;
  if (keyword === 'select' || keyword === 'with') return table ? `${keyword} from ${table}` : keyword;
  return table && /^(insert into|update|delete from|lock|truncate|notify|listen|unlisten)$/.test(keyword) ? `${keyword} ${table}` : keyword;
}

function statementOfQuery(chain: ErrorLike[]): string | undefined {
  for (const link of chain) {
    if (typeof link.query === 'string') {
      const label = statementLabel(link.query);
      if (label) return label;
    }
  }
  return undefined;
}

function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && chain.length < 5 && !chain.includes(current as ErrorLike)) {
    chain.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return chain;
}

/** An error PostgreSQL (the server, or PGlite's embedded one) answered. */
const isServerError = (e: ErrorLike) => typeof e.code === 'string' && SQLSTATE.test(e.code) && typeof e.severity === 'string';
/** Drizzle's wrapper, or a PGlite error carrying the statement: both hold the parameter values. */
const isQueryError = (e: ErrorLike) => typeof e.query === 'string' && Array.isArray(e.params);
const isSystemError = (e: ErrorLike) => typeof e.code === 'string' && SYSTEM_CODE.test(e.code) && typeof e.syscall === 'string';

/** SQLSTATE classes (PostgreSQL, appendix A), for a readable line. */
const CONDITIONS: Record<string, string> = {
  '08': 'connection exception',
  '0A': 'feature not supported',
  '21': 'cardinality violation',
  '22': 'data exception',
  '23': 'integrity constraint violation',
  '25': 'invalid transaction state',
  '28': 'invalid authorization specification',
  '2B': 'dependent privilege descriptors still exist',
  '34': 'invalid cursor name',
  '3D': 'invalid catalog name',
  '3F': 'invalid schema name',
  '40': 'transaction rollback',
  '42': 'syntax error or access rule violation',
  '53': 'insufficient resources',
  '54': 'program limit exceeded',
  '55': 'object not in prerequisite state',
  '57': 'operator intervention',
  '58': 'system error',
  P0: 'PL/pgSQL error',
  XX: 'internal error',
};
