import { z } from 'zod';
import { Timestamp } from '../../lib/api-schemas.ts';
import { PAYMENT_STATUSES } from './states.ts';

/** The response schemas of the payment routes; the module's view types are inferred from them. */

export const PaymentStatus = z.enum(PAYMENT_STATUSES);
export const PaymentMethod = z.enum(['card', 'bitcoin', 'app_store', 'play_store']);

/** A credit pack or plan on sale. */
export const CreditPackage = z
  .object({
    code: z.string().describe('What to send as `package` to buy it'),
    credits: z.number().int().describe('Credits it gives (each period, for a plan)'),
    price: z.number().int().describe('In the smallest unit of its currency (cents for USD)'),
    currency: z.string().describe('ISO 4217'),
    interval: z.enum(['month', 'year']).nullable().describe('A plan renews every interval; null for a one-off pack'),
    storeProduct: z.string().nullable().describe('The App Store / Google Play product id that buys it in the mobile app'),
  })
  .meta({ id: 'CreditPackage' });
export type CreditPackageView = z.infer<typeof CreditPackage>;

/** A payment, as its owner sees it. */
export const Payment = z
  .object({
    id: z.string().describe('The order number'),
    status: PaymentStatus,
    method: PaymentMethod,
    package: z.string().describe('The code of the package bought'),
    credits: z.number().int(),
    amount: z.number().int().describe('In the smallest unit of its currency'),
    currency: z.string(),
    createdAt: Timestamp,
    paidAt: Timestamp.nullable(),
  })
  .meta({ id: 'Payment' });
export type PaymentView = z.infer<typeof Payment>;

/** The answer to a card checkout: where the customer pays. */
export const CardCheckout = z
  .object({
    paymentId: z.string(),
    status: PaymentStatus,
    url: z.string().describe("The processor's payment page: send the customer there"),
  })
  .meta({ id: 'CardCheckout' });
export type CardCheckoutView = z.infer<typeof CardCheckout>;

/** A plan a customer subscribed to. */
export const PaymentSubscription = z
  .object({
    id: z.string(),
    package: z.string().describe('The code of the plan'),
    processor: z
      .enum(['stripe', 'blockonomics', 'revenuecat'])
      .describe('stripe: manage it in the customer portal; revenuecat: in the app store'),
    status: z.enum(['incomplete', 'active', 'past_due', 'paused', 'cancelled']),
    currentPeriodEnd: Timestamp.nullable().describe('When the current period ends: it renews then unless cancelled'),
    cancelAtPeriodEnd: z.boolean().describe('Cancelled: it ends at currentPeriodEnd instead of renewing'),
  })
  .meta({ id: 'PaymentSubscription' });
export type PaymentSubscriptionView = z.infer<typeof PaymentSubscription>;

/** The answer to a bitcoin checkout: where to send how much, until when. */
export const BitcoinCheckout = z
  .object({
    paymentId: z.string(),
    status: PaymentStatus,
    address: z.string().describe('The bitcoin address to pay to, made for this payment only'),
    amountBtc: z.string().describe('What to send, in BTC with eight decimals (e.g. `0.00015385`): the package priced at this moment'),
    uri: z.string().describe('A BIP 21 `bitcoin:` URI with the address and amount, for a QR code or a wallet link'),
    expiresAt: Timestamp.describe(
      'The end of the price quote. Money arriving later is still credited at this price; less than asked credits in proportion',
    ),
  })
  .meta({ id: 'BitcoinCheckout' });
export type BitcoinCheckoutView = z.infer<typeof BitcoinCheckout>;
