import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Executor, Tx } from './client.ts';

const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

export interface TransactionOptions {
  isolationLevel?: 'read committed' | 'repeatable read' | 'serializable';
  /** Total attempts for serialization failures and deadlocks. */
  attempts?: number;
}

export const isTransaction = (executor: Executor): executor is Tx => executor instanceof PgTransaction;

/**
 * Run `fn` in a transaction. Inside an outer transaction it simply joins it, so verbs compose into one
 * business step. At the top level, serialization failures and deadlocks are retried with jittered back-off.
 */
export async function transaction<T>(executor: Executor, fn: (tx: Tx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  if (isTransaction(executor)) return fn(executor);
  const attempts = options.attempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    try {
      return await executor.transaction(fn, options.isolationLevel ? { isolationLevel: options.isolationLevel } : undefined);
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
