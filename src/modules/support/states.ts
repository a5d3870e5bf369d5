import type { SupportAuthor, SupportStatus } from '../../db/schema/index.ts';

/** What a new message makes of a conversation: the customer's waits on staff, staff's on the customer; either reopens a closed one. */
export const statusAfterMessage = (author: SupportAuthor): SupportStatus => (author === 'customer' ? 'open' : 'answered');

/** Only an open or answered conversation can be closed; a closed one is reopened by writing to it. */
export const canClose = (status: SupportStatus): boolean => status !== 'closed';

/** The longest a message may be, in characters. */
export const MAX_BODY = 4000;
export const MAX_SUBJECT = 200;

/**
 * Abuse limits per account, counted in the database so that every instance sees the same count:
 * conversations started per day and customer messages per hour.
 */
export const SUPPORT_LIMITS = {
  conversationsPerDay: 10,
  messagesPerHour: 60,
} as const;
