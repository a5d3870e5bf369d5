import { z } from 'zod';
import { Timestamp } from '../../lib/api-schemas.ts';
import { ROLES } from '../accounts/index.ts';

/** An account as staff find it in a search. */
export const StaffAccountSummary = z
  .object({
    id: z.string(),
    kind: z.enum(['email', 'device']),
    email: z.string().nullable(),
    role: z.enum(ROLES),
    status: z.enum(['active', 'suspended', 'deleted']),
    createdAt: Timestamp,
  })
  .meta({ id: 'StaffAccountSummary' });
export type StaffAccountSummaryView = z.infer<typeof StaffAccountSummary>;

/** One of an account's orders as staff see it: no SMS text (data minimisation: what support needs to help). */
export const StaffOrder = z
  .object({
    id: z.string(),
    service: z.string(),
    country: z.string(),
    provider: z.string(),
    phone: z.string().nullable().describe('The rented number (null while being bought, or once erased)'),
    status: z.string(),
    price: z.number().int(),
    failureReason: z.string().nullable(),
    createdAt: Timestamp,
    endedAt: Timestamp.nullable(),
  })
  .meta({ id: 'StaffOrder' });
export type StaffOrderView = z.infer<typeof StaffOrder>;

/** What staff did on the account (audit_log), with who and why. */
export const StaffActionRecord = z
  .object({
    id: z.string(),
    actor: z.string().describe('The staff account id, `cli` or `system`'),
    action: z.string(),
    reason: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
    at: Timestamp,
  })
  .meta({ id: 'StaffActionRecord' });
export type StaffActionRecordView = z.infer<typeof StaffActionRecord>;
