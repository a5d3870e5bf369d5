import { and, count, eq, gt, min } from 'drizzle-orm';
import { supportConversations, supportMessages } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Ctx } from '../context.ts';
import { SUPPORT_LIMITS } from './states.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const refuse = (message: string, oldest: Date | null, windowMs: number, now: Date): DomainError =>
  new DomainError('RATE_LIMITED', message, {
    retryAfterSeconds: Math.max(1, Math.ceil(((oldest?.getTime() ?? now.getTime()) + windowMs - now.getTime()) / 1000)),
  });

/** At most SUPPORT_LIMITS.conversationsPerDay conversations started in any 24 hours (RATE_LIMITED otherwise). */
export async function checkConversationLimit(ctx: Ctx, accountId: string): Promise<void> {
  const now = ctx.clock.now();
  const [row] = await ctx.db
    .select({ n: count(), oldest: min(supportConversations.createdAt) })
    .from(supportConversations)
    .where(and(eq(supportConversations.accountId, accountId), gt(supportConversations.createdAt, new Date(now.getTime() - DAY_MS))));
  if ((row?.n ?? 0) >= SUPPORT_LIMITS.conversationsPerDay) {
    throw refuse(
      `At most ${SUPPORT_LIMITS.conversationsPerDay} new conversations a day; write in one you already have, or try again later.`,
      row?.oldest ?? null,
      DAY_MS,
      now,
    );
  }
}

/** At most SUPPORT_LIMITS.messagesPerHour customer messages in any hour, across the account's conversations. */
export async function checkMessageLimit(ctx: Ctx, accountId: string): Promise<void> {
  const now = ctx.clock.now();
  const [row] = await ctx.db
    .select({ n: count(), oldest: min(supportMessages.createdAt) })
    .from(supportMessages)
    .innerJoin(supportConversations, eq(supportConversations.id, supportMessages.conversationId))
    .where(
      and(
        eq(supportConversations.accountId, accountId),
        eq(supportMessages.author, 'customer'),
        gt(supportMessages.createdAt, new Date(now.getTime() - HOUR_MS)),
      ),
    );
  if ((row?.n ?? 0) >= SUPPORT_LIMITS.messagesPerHour) {
    throw refuse(`At most ${SUPPORT_LIMITS.messagesPerHour} messages an hour; try again later.`, row?.oldest ?? null, HOUR_MS, now);
  }
}
