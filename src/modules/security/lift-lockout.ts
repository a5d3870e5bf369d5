import { and, eq, gt } from 'drizzle-orm';
import { auditLog, authThrottles, type Role } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import { lockoutRef, lockoutView } from './review.ts';
import type { LockoutView } from './schemas.ts';

/**
 * An admin lifts a block of the sign-in throttles before it runs out (a customer who proved who they
 * are to support, a network that was shared by one careless user): the key's record is deleted, so its
 * count of failures starts again, as after a successful sign-in. The lockout is named by the short
 * reference the list shows (keys hold keyed hashes of names and addresses, which never leave the
 * server). In one transaction with its audit row: who, why, and which block. NOT_FOUND when nothing
 * is blocked under that reference now (it ran out, or another admin lifted it).
 */
export async function liftLockout(
  ctx: Ctx,
  input: { ref: string; reason: string; staff: { accountId: string; role: Role }; requestId?: string },
): Promise<LockoutView> {
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    // The reference is the list's (lockoutRef): the keys blocked now are read to find the one it names.
    const blocked = await tx.select({ key: authThrottles.key }).from(authThrottles).where(gt(authThrottles.blockedUntil, now));
    const key = blocked.find((row) => lockoutRef(row.key) === input.ref)?.key;
    const [row] = key
      ? await tx
          .delete(authThrottles)
          .where(and(eq(authThrottles.key, key), gt(authThrottles.blockedUntil, now)))
          .returning()
      : [];
    if (!row) throw new DomainError('NOT_FOUND', 'Nothing is blocked under this reference now: the block ran out or was lifted.');
    const lifted = lockoutView(row);
    await tx.insert(auditLog).values({
      id: newId('aud', now.getTime()),
      actor: input.staff.accountId,
      action: 'security.lockout_lifted',
      accountId: lifted.accountId,
      details: {
        reason: input.reason,
        role: input.staff.role,
        ref: lifted.ref,
        kind: lifted.kind,
        failures: lifted.failures,
        blockedUntil: lifted.blockedUntil.toISOString(),
        ...(input.requestId ? { requestId: input.requestId } : {}),
      },
      occurredAt: now,
    });
    return lifted;
  });
}
