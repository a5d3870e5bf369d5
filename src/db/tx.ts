import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Executor, Tx } from './client.ts';

const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

export interface TransactionOptions {
  isolationLevel?: 'read committed' | 'repeatable read' | 'serializable';
  /** Total attempts for serialization failures and deadlocks. */
  attempts?: number;
}

export const isTransaction = (executor: Executor): executor is Tx => executor instanceof PgTransaction;

/** What to do once each open transaction (opened by `transaction`) commits. */
const commitHooks = new WeakMap<Tx, (() => void)[]>();

/**
 * Run `hook` once the caller's writes are committed: at once outside a transaction (each statement
 * commits on its own, so call this after the statement), after the outermost commit inside a
 * transaction opened by `transaction`, and never when that transaction rolls back. For caches that
 * must not serve a value older than a commit the caller is about to report. Hooks run synchronously,
 * before `transaction` returns; one that throws is logged by nobody, so keep them trivial.
 */
export function afterCommit(executor: Executor, hook: () => void): void {
  const hooks = isTransaction(executor) ? commitHooks.get(executor) : undefined;
  // A transaction opened elsewhere (tests do) has no hook list: run at once rather than never.
  if (hooks) hooks.push(hook);
  else hook();
}

/**
 * Run `fn` in a transaction. Inside an outer transaction it simply joins it, so verbs compose into one
 * business step. At the top level, serialization failures and deadlocks are retried with jittered back-off.
 */
export async function transaction<T>(executor: Executor, fn: (tx: Tx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  if (isTransaction(executor)) return fn(executor);
  const attempts = options.attempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    try {
      let hooks: (() => void)[] = [];
      const result = await executor.transaction(
        (tx) => {
          // A retried attempt starts over: the hooks of one that rolled back are forgotten.
          hooks = [];
          commitHooks.set(tx, hooks);
          return fn(tx);
        },
        options.isolationLevel ? { isolationLevel: options.isolationLevel } : undefined,
      );
      for (const hook of hooks) hook();
      return result;
    } catch (error) {
      if (attempt >= attempts || !RETRYABLE.has(sqlState(error) ?? '')) throw error;
      const backoff = Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
  }
}

/** The SQLSTATE of a database error, looking through drizzle's wrapper. */
export function sqlState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
