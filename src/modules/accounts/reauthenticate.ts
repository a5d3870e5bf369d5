import { eq } from 'drizzle-orm';
import { accounts } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { type Ctx, withDb } from '../context.ts';
import { normaliseEmail, withOpenedEmail } from './email.ts';
import { verifyPassword } from './passwords.ts';
import { recordSecurityEvent } from './security-events.ts';
import { blockedUntil, clearThrottle, ipKey, nameKey, recordConsecutiveFailure, recordWindowedFailure } from './throttle.ts';

/**
 * A signed-in customer proves again that they are the account's owner before something that cannot
 * be undone (deleting the account): its current password, throttled like sign-in — the same
 * per-address and per-IP counters, so a stolen session gives no free guesses at the password.
 * Wrong: INVALID_CREDENTIALS; blocked: TOO_MANY_ATTEMPTS. Accounts without a password need none.
 */
export async function reauthenticate(ctx: Ctx, accountId: string, password: string | undefined): Promise<void> {
  const [account] = await ctx.db.select().from(accounts).where(eq(accounts.id, accountId)).limit(1);
  if (!account) throw new DomainError('NOT_FOUND', 'No such account.');
  if (!account.passwordHash || !account.email) return;
  if (password === undefined || password === '') {
    throw new DomainError('VALIDATION_FAILED', 'Invalid request — body.password: your current password is required', {
      issues: [{ field: 'body.password', message: 'your current password is required' }],
    });
  }
  const opened = await withOpenedEmail(ctx, account);
  await checkPasswordThrottled(
    ctx,
    { id: opened.id, email: opened.email, passwordHash: account.passwordHash },
    password,
    'The password is wrong.',
  );
}

/**
 * Check a signed-in owner's current password (before a change that cannot be undone, or a new
 * password), counted like sign-in: the same per-address and per-IP counters as `login`, so a wrong
 * guess here brings the lock-out closer there and a lock-out there holds here. `account.email` is the
 * address in clear (opened), as sign-in keys it.
 */
export async function checkPasswordThrottled(
  ctx: Ctx,
  account: { id: string; email: string | null; passwordHash: string },
  password: string,
  wrong: string,
): Promise<void> {
  const accountId = account.id;
  const keys = { name: account.email ? nameKey(ctx, normaliseEmail(account.email)) : undefined, ip: ipKey(ctx) };
  const blocked = await blockedUntil(ctx, [keys.name, keys.ip]);
  if (blocked) {
    await recordSecurityEvent(ctx, { type: 'reauthentication_throttled', accountId });
    throw new DomainError('TOO_MANY_ATTEMPTS', 'Too many wrong passwords. Wait a moment before trying again.', {
      retryAfterSeconds: Math.ceil((blocked.getTime() - ctx.clock.now().getTime()) / 1000),
    });
  }
  if (!(await verifyPassword(account.passwordHash, password))) {
    await transaction(ctx.db, async (tx) => {
      const txCtx = withDb(ctx, tx);
      if (keys.name) await recordConsecutiveFailure(txCtx, keys.name);
      if (keys.ip) await recordWindowedFailure(txCtx, keys.ip);
      await recordSecurityEvent(txCtx, { type: 'reauthentication_failed', accountId });
    });
    throw new DomainError('INVALID_CREDENTIALS', wrong);
  }
  if (keys.name) await clearThrottle(ctx, keys.name);
}
