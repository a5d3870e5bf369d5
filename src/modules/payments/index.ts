/**
 * Payments: credit packages and plans, payments and their facts (states.ts), checkout, the Stripe
 * webhook, subscriptions, refunds.
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
export { type CardCheckoutAnswer, startCheckout } from './checkout.ts';
export { createPayment, type NewPayment } from './create-payment.ts';
export type { PaymentDeps } from './deps.ts';
export { endPaymentsForErasure, endPaymentsOfErasedAccounts, type PaymentsEnded } from './end-for-erasure.ts';
export { BITCOIN_QUOTE_GRACE_MS, expireBitcoinQuotes } from './expire-bitcoin-quotes.ts';
export {
  findPaymentsForStaff,
  getPayment,
  listAllPayments,
  listPayments,
  type PaymentFilter,
  paymentForStaff,
} from './find-payments.ts';
export { getReceipt } from './get-receipt.ts';
export {
  addPackage,
  disablePackage,
  listPackages,
  listPackagesForStaff,
  type NewPackage,
  packageOnSale,
  type StaffPackageRow,
  toPackageView,
} from './packages.ts';
export { openSubscriptionPortal } from './portal.ts';
export { type ReconcileOutcome, reconcileStripePayments, refreshPayment } from './reconcile-stripe.ts';
export { refundPayment } from './refund-payment.ts';
export {
  BitcoinCheckout,
  type BitcoinCheckoutView,
  CardCheckout,
  CreditPackage,
  Payment,
  PaymentMethod,
  PaymentReceipt,
  PaymentStatus,
  PaymentSubscription,
  type PaymentView,
} from './schemas.ts';
export { PAYMENT_STATEMENTS } from './store.ts';
export { handleStripeEvent, type StripeWebhookOutcome } from './stripe-webhook.ts';
export { listSubscriptions, STORE_SUBSCRIPTION_PAGES } from './subscriptions.ts';
export { type PaymentTotals, paymentTotals } from './totals.ts';
export { type PackageRow, type PaymentRow, type PaymentWithPackage, toPaymentView } from './view.ts';
