import { DomainError } from '../../lib/errors.ts';
import type { Ctx } from '../context.ts';
import type { ActivationDeps } from './deps.ts';
import { getActivation } from './get-activation.ts';
import { receiveSms } from './receive-sms.ts';

export type SandboxSmsOutcome = 'charged' | 'recorded' | 'late' | 'duplicate';

/**
 * Any text delivered to one of the account's sandbox numbers, as if the service had sent it. A real
 * number is refused: only the sandbox accepts SMS this way.
 */
export async function deliverSandboxSms(
  ctx: Ctx,
  deps: ActivationDeps,
  input: { accountId: string; activationId: string; text: string },
): Promise<SandboxSmsOutcome> {
  const row = await getActivation(ctx.db, input.accountId, input.activationId);
  if (!row.sandbox) throw new DomainError('CONFLICT', 'This is a real number: only the sandbox accepts SMS from this endpoint.');
  const { outcome } = await receiveSms(ctx, deps, {
    target: { activationId: row.id },
    text: input.text,
    // No message id: the same text posted twice is one message, like a provider push repeated.
    source: 'sandbox',
  });
  if (outcome === 'unknown_order') throw new DomainError('NOT_FOUND', 'No such activation.');
  return outcome;
}
