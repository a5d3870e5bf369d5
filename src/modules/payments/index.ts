/**
 * Payments: credit packages and plans, payments and their facts (states.ts), the Stripe webhook, refunds.
 *
 * The module's public surface: code outside src/modules/payments/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */

export { acceptStoreEvent, type StoreEventOptions, type StoreEventOutcome } from './app-store.ts';
export {
  closePaymentDispute,
  markPaymentFailed,
  markPaymentPaid,
  markPaymentPending,
  openPaymentDispute,
  recordPaymentRefund,
} from './apply-fact.ts';
export {
  acceptBitcoinCallback,
  type BitcoinCallbackOutcome,
  type BitcoinCheckoutAnswer,
  type BitcoinCheckoutInput,
  startBitcoinCheckout,
} from './bitcoin.ts';
export { createPayment, type NewPayment } from './create-payment.ts';
export type { PaymentDeps } from './deps.ts';
export { getPayment, listAllPayments, listPayments } from './find-payments.ts';
export { addPackage, disablePackage, listPackages, type NewPackage, packageOnSale, toPackageView } from './packages.ts';
export {
  BitcoinCheckout,
  type BitcoinCheckoutView,
  CardCheckout,
  CreditPackage,
  Payment,
  PaymentMethod,
  PaymentStatus,
} from './schemas.ts';
export type { PackageRow, PaymentRow } from './view.ts';
export { toPaymentView } from './view.ts';
