import { z } from 'zod';
import { Timestamp } from '../../lib/api-schemas.ts';
import { SECURITY_EVENT_TYPES } from '../accounts/index.ts';

/** The response schemas of the staff security review; the module's view types are inferred from them. */

export const SecurityEventType = z.enum(SECURITY_EVENT_TYPES);

export const StaffSecurityEvent = z
  .object({
    id: z.string(),
    accountId: z.string().nullable().describe('The account it is about; null: no account (a sign-in with an unknown name)'),
    type: z.string(),
    occurredAt: Timestamp,
    actor: z.string().nullable().describe('The staff account (or `cli`) that acted; null: the account itself or nobody signed in'),
    ipPrefix: z.string().nullable().describe('The network (/24 or /48), never the full address'),
    userAgent: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'StaffSecurityEvent' });
export type StaffSecurityEventView = z.infer<typeof StaffSecurityEvent>;

export const LOCKOUT_KINDS = ['login', 'device', 'device-id', 'ip', 'signup', 'totp', 'enrol', 'other'] as const;

export const Lockout = z
  .object({
    kind: z
      .enum(LOCKOUT_KINDS)
      .describe(
        'login: a sign-in name · device: a trusted browser · device-id: a device account · ip: a network address · signup: sign-ups from an address · totp: an account’s second factor · enrol: a staff enrolment link',
      ),
    accountId: z.string().nullable().describe('The account, where the throttle is keyed by it (totp)'),
    ref: z.string().describe('A short reference of the key: names, addresses and devices are kept only as keyed hashes'),
    failures: z.number().int(),
    blockedUntil: Timestamp,
    updatedAt: Timestamp.describe('The last failure'),
  })
  .meta({ id: 'Lockout' });
export type LockoutView = z.infer<typeof Lockout>;

export const AuditEntry = z
  .object({
    id: z.string(),
    actor: z.string().describe('A staff account id, `cli` or `system`'),
    action: z.string(),
    accountId: z.string().nullable(),
    reason: z.string().nullable().describe('The reason given, where the action took one'),
    details: z.record(z.string(), z.unknown()).nullable(),
    occurredAt: Timestamp,
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntryView = z.infer<typeof AuditEntry>;
