import { z } from 'zod';
import { ROLES } from '../../db/schema/index.ts';
import { Timestamp } from '../../lib/api-schemas.ts';

/** The published privacy policy, as `GET /api/v1/privacy/policy` answers it (`Policy` is its type). */
export const PrivacyPolicy = z
  .object({
    version: z.string().describe('What clients send back as `policyVersion`: `<last updated>.<digest of the text>`'),
    lastUpdated: z.string().describe('ISO date (YYYY-MM-DD) the text last changed'),
    minimumAge: z.number().int(),
    accountKinds: z
      .array(z.enum(['email', 'device']))
      .describe('The accounts new customers can open here: `email` (e-mail and password) and/or `device` (anonymous, in the app)'),
    text: z.string(),
  })
  .meta({ id: 'PrivacyPolicy' });
export type Policy = z.infer<typeof PrivacyPolicy>;

/** One read of the customer's data by staff, as the customer sees it ("Who accessed my data"). */
export const StaffAccess = z
  .object({
    id: z.string(),
    role: z.enum(ROLES).describe("The reader's role at the time"),
    staffRef: z.string().describe('A stable pseudonymous reference of the staff member (`staff_…`): the same person, the same reference'),
    what: z.string().describe('What was read: `account.profile`, …'),
    reason: z.string().nullable().describe('Why, when the staff member said'),
    at: Timestamp,
  })
  .meta({ id: 'StaffAccess' });
export type StaffAccessView = z.infer<typeof StaffAccess>;

const ExportSection = z.object({
  category: z.string(),
  purpose: z.string(),
  legalBasis: z.string(),
  retention: z.string().describe('How long these records are kept'),
  withheld: z.record(z.string(), z.string()).describe('Fields left out of this copy, each with the reason'),
  rows: z.array(z.record(z.string(), z.unknown())),
});

/** `GET /api/v1/privacy/export`: everything held about the account, one section per table of the data map. */
export const AccountExportDocument = z
  .object({
    format: z.literal('otpbox-export/1'),
    generatedAt: z.iso.datetime(),
    accountId: z.string(),
    policyVersion: z.string().describe('The privacy policy in force when the copy was made'),
    about: z.string(),
    sections: z.record(z.string(), ExportSection).describe('Keyed by the name of the table the records come from'),
  })
  .meta({ id: 'AccountExport' });

/** The answer to POST /api/v1/privacy/delete: what ended at once, and when the rest completes. */
export const AccountDeleted = z
  .object({
    deletedAt: z.iso.datetime(),
    accessEnded: z.object({ sessions: z.number().int(), apiKeys: z.number().int() }).describe('Sessions, device tokens and API keys ended'),
    ordersEnded: z
      .object({ cancelled: z.number().int(), completed: z.number().int(), inFlight: z.number().int() })
      .describe('Open orders cancelled (credits released, cancelled upstream), completed (code received), or still being bought'),
    paymentsEnded: z
      .object({ checkoutPagesExpired: z.number().int(), subscriptionsCancelled: z.number().int() })
      .describe('Open card payment pages expired and card subscriptions cancelled at Stripe: nothing charges the card afterwards'),
    forfeited: z
      .object({ credits: z.number().int(), demoCredits: z.number().int() })
      .describe('Credits forfeited by a ledger transfer ("forfeited on account erasure")'),
    webhooksStopped: z.object({ endpoints: z.number().int(), deliveries: z.number().int() }),
    erasure: z.object({
      completed: z.boolean(),
      completedAt: z.iso.datetime().nullable(),
      completesBy: z.iso.datetime().describe('The latest the erasure completes: 30 days after the deletion'),
    }),
  })
  .meta({ id: 'AccountDeleted' });
