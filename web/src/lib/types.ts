// The shapes of the otpbox API that the web app reads: names for the types generated from
// /openapi.json (api.gen.ts, `npm run api:types`), so each shape is written once, in the server's schemas.
import type { components } from './api.gen.ts';

type Schemas = components['schemas'];

export type Balance = Schemas['PurseBalance'];
/** An account's credits, and apart from them its demo credits (they pay for sandbox numbers only). */
export type Balances = Schemas['Balance'];
export type Profile = Schemas['Profile'];
export type Policy = Schemas['PrivacyPolicy'];
export type Service = Schemas['Service'];
export type Country = Schemas['Country'];
export type Activation = Schemas['Activation'];
export type OrderStatus = Activation['status'];
export type Sms = Schemas['Sms'];
export type StatementLine = Schemas['StatementLine'];
export type Session = Schemas['Session'];
export type SecurityEvent = Schemas['SecurityEvent'];
/** A read of the account's data by staff ("Who accessed my data"). */
export type StaffAccess = Schemas['StaffAccess'];
export type ApiKey = Schemas['ApiKey'];
/** A credit pack (`interval: null`) or a plan that renews every interval, on sale. */
export type CreditPackage = Schemas['CreditPackage'];
export type Payment = Schemas['Payment'];
export type PaymentReceipt = Schemas['PaymentReceipt'];
export type PaymentStatus = Payment['status'];
export type PaymentMethod = Payment['method'];
export type CardCheckout = Schemas['CardCheckout'];
/** A bitcoin checkout: where to send how much (`uri`: BIP 21, for the QR code), and until when the price holds. */
export type BitcoinCheckout = Schemas['BitcoinCheckout'];
/** A plan the customer holds: it renews at `currentPeriodEnd` unless cancelled. */
export type PaymentSubscription = Schemas['PaymentSubscription'];
/** The error envelope of every refusal. */
export type ApiError = Schemas['ErrorEnvelope'];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Open orders can still change; ended ones cannot: the server's own definition (its order state machine). */
export { isOpen } from '../../../src/modules/activations/states.ts';
export type PrivacyRequest = Schemas['PrivacyRequest'];
export type PrivacyRequestType = PrivacyRequest['type'];
/** A support conversation (P17) as its customer sees it; `subject` null only once erased. */
export type SupportConversation = Schemas['SupportConversation'];
export type Rental = Schemas['Rental'];
export type RentalSummary = Schemas['RentalSummary'];
export type RentalOffers = Schemas['RentalOffers'];
/** A message of a conversation: `author: 'staff'` is shown as "Support", never a person. */
export type SupportMessage = Schemas['SupportMessage'];
export type SupportThread = Schemas['SupportThread'];
