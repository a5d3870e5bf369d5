import { z } from 'zod';
import { PRIVACY_REQUEST_TYPES } from '../../../db/schema/index.ts';
import { Timestamp } from '../../../lib/api-schemas.ts';
import { REQUEST_STATUSES } from './states.ts';

/** The response schemas of the rights-request routes; the module's view types are inferred from them. */

export const PrivacyRequestType = z
  .enum(PRIVACY_REQUEST_TYPES)
  .describe(
    'access: a copy of your data · rectification: correct it · erasure: delete it · portability: your data in a machine-readable file · ' +
      'objection: stop processing based on our legitimate interest · restriction: keep your data but stop processing it · ' +
      'withdraw_consent: withdraw the consent you gave',
  );
export const PrivacyRequestStatus = z.enum(REQUEST_STATUSES);

/** A rights request, as the customer who filed it sees it. */
export const PrivacyRequest = z
  .object({
    id: z.string(),
    type: PrivacyRequestType,
    details: z.string().nullable(),
    status: PrivacyRequestStatus,
    filedAt: Timestamp,
    dueAt: Timestamp.describe('30 days after the request was received'),
    daysLeft: z.number().int().describe('Whole days until it is due (negative once overdue); 0 once resolved'),
    resolvedAt: Timestamp.nullable(),
    resolution: z.string().nullable().describe('What was done, or why the request was refused'),
  })
  .meta({ id: 'PrivacyRequest' });
export type PrivacyRequestView = z.infer<typeof PrivacyRequest>;

/** A request in the staff queue. */
export const QueuedPrivacyRequest = z
  .object({
    id: z.string(),
    accountId: z.string(),
    type: PrivacyRequestType,
    details: z.string().nullable(),
    status: PrivacyRequestStatus,
    filedAt: Timestamp,
    dueAt: Timestamp,
    daysLeft: z.number().int(),
    overdue: z.boolean(),
    handledBy: z.string().nullable(),
    processingRestricted: z.boolean().describe('The account is processing-restricted now (no orders, no webhooks)'),
  })
  .meta({ id: 'QueuedPrivacyRequest' });
export type QueuedPrivacyRequestView = z.infer<typeof QueuedPrivacyRequest>;
