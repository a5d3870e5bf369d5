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
    refunded: z.number().int().describe('How much of the amount was refunded so far (a partial refund leaves the payment `paid`)'),
    failureReason: z.string().nullable().describe('Why it failed, in plain words (the payment page expired, the quote ran out)'),
    receipt: z.string().nullable().describe('Where its receipt is (`GET`), once it is paid; null before'),
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

/** A receipt for a paid payment: who sold what to whom, for how much, when, and what was refunded. */
export const PaymentReceipt = z
  .object({
    number: z.string().describe('The order number (the payment id)'),
    issuedAt: Timestamp.describe('When the payment was confirmed'),
    seller: z.object({
      name: z.string().describe('The operator of this service'),
      contact: z.string().nullable(),
      website: z.string(),
    }),
    customer: z.string().describe('The account that paid (its id: receipts name no e-mail address or card)'),
    description: z.string().describe('What was bought, in words'),
    package: z.string(),
    credits: z.number().int().describe('Credits the payment gave'),
    amount: z.number().int().describe('In the smallest unit of its currency'),
    currency: z.string(),
    method: PaymentMethod,
    status: PaymentStatus,
    reference: z
      .string()
      .nullable()
      .describe("The processor's reference of the payment (a Stripe PaymentIntent, a bitcoin address, a store transaction)"),
    refunded: z.number().int().describe('Refunded so far, in the smallest unit'),
    refundedAt: Timestamp.nullable(),
    bitcoin: z
      .object({
        address: z.string(),
        transactions: z.array(z.object({ txid: z.string(), btc: z.string().describe('Eight decimals') })),
      })
      .nullable()
      .describe('For a bitcoin payment: the transactions that paid it'),
  })
  .meta({ id: 'PaymentReceipt' });
export type PaymentReceiptView = z.infer<typeof PaymentReceipt>;

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
    store: z
      .enum(['app_store', 'play_store'])
      .nullable()
      .describe('Where an app-store plan was bought (null for a card plan): it is managed and cancelled there'),
    manageUrl: z.string().nullable().describe("The store's page where the customer manages their subscriptions (app-store plans)"),
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
