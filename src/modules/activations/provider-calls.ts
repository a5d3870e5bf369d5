import type { Executor } from '../../db/client.ts';
import { type ProviderCallAction, providerCalls } from '../../db/schema/index.ts';
import type { Result } from '../../provider-clients/port.ts';

/** The longest answer kept. */
export const ANSWER_MAX = 300;

/** One call to an upstream provider about an order, as the provider-call log keeps it (ADR 36). */
export interface ProviderCall {
  provider: string;
  action: ProviderCallAction;
  outcome: string;
  durationMs: number;
  answer: string | null;
}

/**
 * An answer with every run of four or more digits (spaces, dashes, dots, brackets and a leading `+`
 * between them allowed) replaced by `[redacted]`: a rented number or a code never reaches the log,
 * whatever the provider put in its message. Cut to ANSWER_MAX characters.
 */
export function redactAnswer(text: string): string {
  const redacted = text.replace(/\+?\d(?:[\s().-]*\d){3,}/g, '[redacted]');
  return redacted.length > ANSWER_MAX ? `${redacted.slice(0, ANSWER_MAX - 1)}…` : redacted;
}

/**
 * The log entry of a call: `ok` with `summary` (built from non-personal fields only: states, counts,
 * costs, the provider's id of the activation), or the failure's kind with its message, redacted.
 */
export function providerCall<T>(
  provider: string,
  action: ProviderCallAction,
  startedMs: number,
  endedMs: number,
  result: Result<T>,
  summary?: (value: T) => string,
): ProviderCall {
  const durationMs = Math.max(0, Math.round(endedMs - startedMs));
  if (!result.ok) return { provider, action, outcome: result.failure.kind, durationMs, answer: redactAnswer(result.failure.message) };
  return { provider, action, outcome: 'ok', durationMs, answer: summary ? redactAnswer(summary(result.value)) : null };
}

/** Write calls of one order (outside the hot path: jobs, and a failed purchase's own transaction). */
export async function recordProviderCalls(db: Executor, activationId: string, calls: readonly ProviderCall[], now: Date): Promise<void> {
  if (calls.length === 0) return;
  await db.insert(providerCalls).values(calls.map((call) => ({ ...call, activationId, createdAt: now })));
}
