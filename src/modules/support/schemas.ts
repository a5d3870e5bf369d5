import { z } from 'zod';
import { SUPPORT_AUTHORS, SUPPORT_STATUSES } from '../../db/schema/index.ts';
import { Timestamp } from '../../lib/api-schemas.ts';

/** The response schemas of the support routes (P17); the module's view types are inferred from them. */

export const SupportStatus = z
  .enum(SUPPORT_STATUSES)
  .describe('open: waiting for support · answered: support answered, waiting for you · closed (writing to it opens it again)');

/** A message as the customer sees it: staff messages are signed "Support", never by a person. */
export const SupportMessage = z
  .object({
    id: z.string(),
    author: z.enum(SUPPORT_AUTHORS).describe('customer: you · staff: our support team'),
    body: z.string().nullable().describe('null only once the account was erased (its key destroyed)'),
    createdAt: Timestamp,
  })
  .meta({ id: 'SupportMessage' });
export type SupportMessageView = z.infer<typeof SupportMessage>;

export const SupportConversation = z
  .object({
    id: z.string(),
    subject: z.string().nullable(),
    orderId: z.string().nullable().describe('The order it is about, if any'),
    status: SupportStatus,
    createdAt: Timestamp,
    lastActivityAt: Timestamp,
    closedAt: Timestamp.nullable(),
  })
  .meta({ id: 'SupportConversation' });
export type SupportConversationView = z.infer<typeof SupportConversation>;

export const SupportThread = z
  .object({ conversation: SupportConversation, messages: z.array(SupportMessage) })
  .meta({ id: 'SupportThread' });
export type SupportThreadView = z.infer<typeof SupportThread>;

/** A conversation in the staff queue. */
export const QueuedSupportConversation = z
  .object({
    id: z.string(),
    accountId: z.string(),
    subject: z.string().nullable(),
    orderId: z.string().nullable(),
    status: SupportStatus,
    createdAt: Timestamp,
    waitingSince: Timestamp.nullable().describe('Since when the customer has waited for an answer (open only)'),
    lastActivityAt: Timestamp,
  })
  .meta({ id: 'QueuedSupportConversation' });
export type QueuedSupportConversationView = z.infer<typeof QueuedSupportConversation>;

/** A message as staff see it: which staff member wrote it. */
export const StaffSupportMessage = z
  .object({
    id: z.string(),
    author: z.enum(SUPPORT_AUTHORS),
    staffAccountId: z.string().nullable(),
    body: z.string().nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'StaffSupportMessage' });
export type StaffSupportMessageView = z.infer<typeof StaffSupportMessage>;

export const StaffSupportThread = z
  .object({ conversation: QueuedSupportConversation, messages: z.array(StaffSupportMessage) })
  .meta({ id: 'StaffSupportThread' });
export type StaffSupportThreadView = z.infer<typeof StaffSupportThread>;
