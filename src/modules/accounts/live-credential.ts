import { and, eq, isNull } from 'drizzle-orm';
import { apiKeys, sessions } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Ctx } from '../context.ts';

/** The credential a request was let in with: its session (browser or device), or its API key. */
export interface Credential {
  sessionId?: string;
  apiKeyId?: string;
}

/**
 * The request's credential is still live, checked again in the caller's transaction and held (FOR SHARE)
 * until it commits. The access check ran when the request began; what a request makes that outlives it
 * (an API key, a webhook endpoint) would otherwise escape a password reset or a revocation committed in
 * between: the reset then waits for this transaction and revokes what it made, or this one waits for the
 * reset and is refused.
 */
export async function requireLiveCredential(ctx: Ctx, credential: Credential): Promise<void> {
  const live = credential.apiKeyId
    ? await ctx.db
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(and(eq(apiKeys.id, credential.apiKeyId), isNull(apiKeys.revokedAt)))
        .for('share')
    : credential.sessionId
      ? await ctx.db
          .select({ id: sessions.id })
          .from(sessions)
          .where(and(eq(sessions.id, credential.sessionId), isNull(sessions.revokedAt)))
          .for('share')
      : [{ id: 'none' }];
  if (live.length === 0) throw new DomainError('UNAUTHENTICATED', 'This session or API key was ended a moment ago: sign in again.');
}
