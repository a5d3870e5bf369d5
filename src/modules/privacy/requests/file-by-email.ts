import { and, count, eq, gt } from 'drizzle-orm';
import { accounts, type PrivacyRequestType, privacyRequests } from '../../../db/schema/index.ts';
import { transaction } from '../../../db/tx.ts';
import { type Ctx, withDb } from '../../context.ts';
import { emailLookupHash, normaliseEmail, openFor } from '../../keyring/index.ts';
import { enqueueEmail, privacyRequestLinkMessage } from '../../mail/index.ts';
import { auditRequest } from './audit.ts';
import { openRequestOf } from './file-request.ts';
import { insertRequest } from './insert-request.ts';
import { LINK_TTL_MS, newLinkToken } from './link-token.ts';

/** Links waiting to be opened per account: more are not sent (no one fills a mailbox through us). */
export const MAX_PENDING_LINKS = 3;

/**
 * File a request for someone who lost access to their account: the answer is the same whether or not
 * an account uses the address (the caller always says "if an account uses it, we sent a link"). Only an
 * e-mail account gets a request (`unverified`) and an e-mail with a one-time link, valid 24 hours,
 * whose opening verifies the request (verify-request.ts). The 30 days run from now: the request was
 * received now, whatever the time its sender takes to open the link.
 */
export async function fileRequestByEmail(
  ctx: Ctx,
  input: { email: string; type: PrivacyRequestType; details?: string | null },
): Promise<void> {
  const email = normaliseEmail(input.email);
  await transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    // Found by the address's keyed hash; the link goes to the address as the account holds it (ADR 28).
    const [found] = await tx
      .select({ id: accounts.id, email: accounts.email })
      .from(accounts)
      .where(and(eq(accounts.emailHash, emailLookupHash(ctx.keys, email)), eq(accounts.kind, 'email')))
      .limit(1);
    const account = found && { id: found.id, email: await openFor(txCtx, found.id, 'accounts.email', found.id, found.email) };
    if (!account?.email) return;
    // Already being handled: nothing new to verify. The customer sees it once signed in again.
    if (await openRequestOf(txCtx, account.id, input.type)) return;
    const now = ctx.clock.now();
    const [pending] = await tx
      .select({ n: count() })
      .from(privacyRequests)
      .where(
        and(eq(privacyRequests.accountId, account.id), eq(privacyRequests.status, 'unverified'), gt(privacyRequests.tokenExpiresAt, now)),
      );
    if (Number(pending?.n ?? 0) >= MAX_PENDING_LINKS) return;
    const { token, hash } = newLinkToken();
    const row = await insertRequest(
      tx,
      now,
      { ...input, accountId: account.id },
      { status: 'unverified', tokenHash: hash, tokenExpiresAt: new Date(now.getTime() + LINK_TTL_MS) },
    );
    if (!row) return;
    await enqueueEmail(txCtx, privacyRequestLinkMessage(ctx.config, account.email, token, account.id, input.type));
    await auditRequest(txCtx, 'filed', row, { via: 'email_link' });
  });
}
