import { z } from 'zod';
import { IsoTimestamp, Timestamp } from '../../lib/api-schemas.ts';
import { Balance } from '../ledger/index.ts';

/** The response schemas of the account routes; each `*View` type of this module is one of them, inferred. */

export const Profile = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    kind: z.enum(['email', 'device']),
    role: z.enum(['customer', 'support', 'admin']),
    emailVerified: z.boolean(),
    createdAt: IsoTimestamp,
    policy: z.object({
      acceptedVersion: z.string().nullable(),
      currentVersion: z.string(),
      lastUpdated: z.string(),
      acceptanceRequired: z.boolean(),
    }),
    balance: Balance,
  })
  .meta({ id: 'Profile' });

export const Session = z
  .object({
    id: z.string(),
    kind: z.enum(['browser', 'device']),
    current: z.boolean(),
    createdAt: Timestamp,
    lastUsedAt: Timestamp,
    expiresAt: Timestamp,
    userAgent: z.string().nullable(),
    ipPrefix: z.string().nullable(),
    device: z.object({ platform: z.string(), osVersion: z.string(), model: z.string(), appVersion: z.string() }).nullable(),
  })
  .meta({ id: 'Session' });
export type SessionView = z.infer<typeof Session>;

export const ApiKey = z
  .object({ id: z.string(), name: z.string(), displayPrefix: z.string(), createdAt: Timestamp, lastUsedAt: Timestamp.nullable() })
  .meta({ id: 'ApiKey' });
export type ApiKeyView = z.infer<typeof ApiKey>;

export const NewApiKey = ApiKey.extend({ key: z.string().describe('Shown only now; store it safely.') }).meta({ id: 'NewApiKey' });
export type NewApiKeyView = z.infer<typeof NewApiKey>;

export const SecurityEvent = z
  .object({
    id: z.string(),
    type: z.string(),
    occurredAt: Timestamp,
    ipPrefix: z.string().nullable(),
    userAgent: z.string().nullable(),
    byStaff: z.boolean(),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'SecurityEvent' });
export type SecurityEventView = z.infer<typeof SecurityEvent>;
