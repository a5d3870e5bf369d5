import { z } from 'zod';
import { IsoTimestamp } from '../../lib/api-schemas.ts';
import { PUBLIC_STATUSES } from './states.ts';

/** The statuses a customer sees (`requesting` is shown as `waiting`). */
export const PublicStatus = z.enum(PUBLIC_STATUSES);
export type PublicStatus = z.infer<typeof PublicStatus>;

export const Sms = z
  .object({
    id: z.string(),
    code: z.string().nullable(),
    text: z.string().nullable().describe('Null once delivered when SMS storage is ephemeral'),
    receivedAt: IsoTimestamp,
    late: z.boolean().describe('Arrived after the order ended: never charged'),
    withheld: z
      .boolean()
      .describe(
        'Arrived after the order ended unpaid (cancelled, expired, failed): its code and text are not shown, as the credits went back',
      ),
  })
  .meta({ id: 'Sms' });

/** An order as the API shows it: the response of every order route (ActivationView is its type). */
export const Activation = z
  .object({
    id: z.string(),
    phone: z.string().describe('The rented number, E.164'),
    service: z.string(),
    country: z.string(),
    price: z.number().int().describe('Credits: held now, spent only if an SMS arrives'),
    status: PublicStatus,
    expiresAt: IsoTimestamp,
    createdAt: IsoTimestamp,
    cancellableAt: IsoTimestamp.describe('Cancelling is refused before this moment (providers refuse it too)'),
    receivedAt: IsoTimestamp.nullable(),
    endedAt: IsoTimestamp.nullable(),
    sandbox: z.boolean().describe('A fictional number from the sandbox provider'),
    sms: z.array(Sms),
  })
  .meta({ id: 'Activation' });
export type ActivationView = z.infer<typeof Activation>;
