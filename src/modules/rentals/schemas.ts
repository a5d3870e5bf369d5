import { z } from 'zod';
import { RENTAL_END_REASONS, RENTAL_PERIOD_STATUSES, RENTAL_STATUSES } from '../../db/schema/index.ts';
import { Timestamp } from '../../lib/api-schemas.ts';

/** The response schemas of the rental routes; the module's view types are inferred from them. */

/** The longest a rental lasts, renewals included (P5: reservations up to 6 months). */
export const MAX_RENTAL_DAYS = 183;

export const RentalOffer = z
  .object({
    country: z.string().describe('ISO 3166 alpha-2'),
    count: z.number().int().describe('How many numbers can be rented now'),
    pricePerDay: z.number().int().describe('Credits per day of the cheapest number'),
  })
  .meta({ id: 'RentalOffer' });

export const RentalOffers = z
  .object({
    offers: z.array(RentalOffer),
    maxDays: z.number().int().describe('The longest a rental lasts from its start, renewals included'),
  })
  .meta({ id: 'RentalOffers' });
export type RentalOffersView = z.infer<typeof RentalOffers>;

export const RentalPeriod = z
  .object({
    seq: z.number().int().describe('1 for the first period, 2 for the first renewal, …'),
    startsAt: Timestamp,
    endsAt: Timestamp,
    days: z.number().int(),
    price: z.number().int().describe('Credits held for the period'),
    status: z.enum(RENTAL_PERIOD_STATUSES).describe('held: reserved · captured: paid (charged says how much) · released: given back'),
    charged: z.number().int().nullable(),
  })
  .meta({ id: 'RentalPeriod' });

export const RentalSms = z
  .object({
    id: z.string(),
    code: z.string().nullable().describe('The code found in the text, if any'),
    text: z.string().nullable().describe('null with SMS_STORAGE=ephemeral (shown once, live) or once the account was erased'),
    sender: z.string().nullable(),
    late: z.boolean().describe('Arrived in the minutes after the rental ended'),
    receivedAt: Timestamp,
  })
  .meta({ id: 'RentalSms' });
export type RentalSmsView = z.infer<typeof RentalSms>;

const rentalFields = {
  id: z.string(),
  number: z.string().nullable().describe('E.164; null only once the account was erased'),
  country: z.string(),
  services: z.array(z.string()).nullable().describe('The services you declared, if any'),
  status: z.enum(RENTAL_STATUSES).describe('active · ended (ran out or was not renewed) · cancelled (by you)'),
  pricePerDay: z.number().int().describe('Credits per day: every period and renewal pays this'),
  autoRenew: z.boolean(),
  startedAt: Timestamp,
  endsAt: Timestamp.describe('The end of the last period paid for'),
  latestEnd: Timestamp.describe('The latest a renewal may reach (started + 183 days)'),
  endedAt: Timestamp.nullable(),
  endReason: z.enum(RENTAL_END_REASONS).nullable(),
  smsCount: z.number().int(),
};

export const RentalSummary = z.object(rentalFields).meta({ id: 'RentalSummary' });
export type RentalSummaryView = z.infer<typeof RentalSummary>;

export const Rental = z.object({ ...rentalFields, periods: z.array(RentalPeriod), sms: z.array(RentalSms) }).meta({ id: 'Rental' });
export type RentalView = z.infer<typeof Rental>;
