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

/** One of an account's rentals of a pool number as staff see it: the number masked, no SMS text. */
export const StaffRental = z
  .object({
    id: z.string(),
    number: z.string().nullable().describe('The rented number, masked ("+14…0123"); null once erased'),
    country: z.string(),
    status: z.string().describe('active · ended · cancelled'),
    pricePerDay: z.number().int().describe('Credits per day'),
    startedAt: Timestamp,
    endsAt: Timestamp.describe('The end of the last period paid for'),
    endedAt: Timestamp.nullable(),
    smsCount: z.number().int(),
  })
  .meta({ id: 'StaffRental' });
export type StaffRentalView = z.infer<typeof StaffRental>;

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

/** An order in the console's list: its number masked (as ledger reasons show it), opened only in its detail. */
export const StaffOrderListItem = z
  .object({
    id: z.string(),
    accountId: z.string(),
    service: z.string(),
    country: z.string(),
    provider: z.string(),
    phone: z.string().nullable().describe('The rented number, masked ("+1…0123"); null while being bought or once erased'),
    status: z.string(),
    price: z.number().int(),
    failureReason: z.string().nullable(),
    sandbox: z.boolean(),
    createdAt: Timestamp,
    endedAt: Timestamp.nullable(),
  })
  .meta({ id: 'StaffOrderListItem' });
export type StaffOrderListItemView = z.infer<typeof StaffOrderListItem>;

/** One order's whole life as staff see it (a logged staff read): the order opened, and everything that happened to it. */
export const StaffOrderLife = z
  .object({
    order: z.object({
      id: z.string(),
      orderNumber: z.number().int().nullable().describe('The numeric id the compatible protocols show, if one was given'),
      accountId: z.string(),
      service: z.string(),
      country: z.string(),
      provider: z.string(),
      upstreamId: z.string().nullable(),
      phone: z.string().nullable().describe('The rented number, opened (null while being bought, or once erased)'),
      status: z.string(),
      price: z.number().int(),
      providerCost: z.number().int().nullable().describe("The provider's charge in micro-units of its currency"),
      providerCurrency: z.string().nullable(),
      failureReason: z.string().nullable(),
      sandbox: z.boolean(),
      createdAt: Timestamp,
      expiresAt: Timestamp,
      receivedAt: Timestamp.nullable(),
      endedAt: Timestamp.nullable(),
    }),
    sms: z.array(
      z.object({
        id: z.string(),
        code: z.string().nullable(),
        text: z.string().nullable().describe('As the customer sees it: null once gone in ephemeral storage'),
        late: z.boolean(),
        source: z.string(),
        receivedAt: Timestamp,
      }),
    ),
    events: z.array(
      z.object({
        id: z.string(),
        type: z.string(),
        fromStatus: z.string().nullable(),
        toStatus: z.string().nullable(),
        actor: z.string(),
        details: z.record(z.string(), z.unknown()).nullable(),
        at: Timestamp,
      }),
    ),
    ledger: z.array(
      z.object({
        id: z.string(),
        kind: z.string().describe('hold, capture or release'),
        phase: z.string(),
        amount: z.number().int(),
        reason: z.string(),
        at: Timestamp,
      }),
    ),
    webhooks: z.array(
      z.object({
        id: z.number().int(),
        endpointId: z.string(),
        type: z.string(),
        status: z.string(),
        attempts: z.number().int(),
        lastResponseStatus: z.number().int().nullable(),
        lastError: z.string().nullable(),
        lastAttemptAt: Timestamp.nullable(),
        deliveredAt: Timestamp.nullable(),
      }),
    ),
    providerTasks: z.array(
      z.object({
        id: z.string(),
        action: z.string(),
        status: z.string(),
        attempts: z.number().int(),
        lastError: z.string().nullable(),
        createdAt: Timestamp,
        doneAt: Timestamp.nullable(),
      }),
    ),
    providerCalls: z
      .array(
        z.object({
          id: z.number().int(),
          provider: z.string(),
          action: z.enum(['buy', 'status', 'cancel', 'finish', 'retry']),
          outcome: z.string().describe('`ok`, or why it failed (`no_numbers`, `timeout`, …)'),
          durationMs: z.number().int(),
          answer: z.string().nullable().describe('The answer summarised, any number or code redacted'),
          at: Timestamp,
        }),
      )
      .describe(
        'Calls to upstream providers: every buy, cancel, finish and retry; status checks only when their answer changed something or failed',
      ),
  })
  .meta({ id: 'StaffOrderLife' });
export type StaffOrderLifeView = z.infer<typeof StaffOrderLife>;

/** A staff account as the console's Staff page lists it (admins only). */
export const StaffMember = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    role: z.enum(['support', 'admin']),
    status: z.enum(['active', 'suspended']),
    twoFactor: z.boolean().describe('A second factor is enrolled: the account can sign in to the console'),
    enrolledAt: Timestamp.nullable(),
    enrolmentPendingUntil: Timestamp.nullable().describe('An unused enrolment link works until then'),
    lastSignInAt: Timestamp.nullable().describe('The last sign-in completed with the second factor, as long as security events keep it'),
    createdAt: Timestamp,
  })
  .meta({ id: 'StaffMember' });
export type StaffMemberView = z.infer<typeof StaffMember>;

/** A one-time enrolment link: shown once, to be handed to the staff member. */
export const EnrolmentLinkView = z
  .object({
    url: z.string().describe('PUBLIC_URL/admin/enrol#token=…: one use, answered only now'),
    expiresAt: Timestamp,
  })
  .meta({ id: 'EnrolmentLink' });
