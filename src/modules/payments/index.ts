/**
 * Payments: credit packages and plans, payments and their facts (states.ts), the Stripe webhook, refunds.
 *
 * The module's public surface: code outside src/modules/payments/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export type { PaymentDeps } from './deps.ts';
export { addPackage, disablePackage, listPackages, type NewPackage, packageOnSale, toPackageView } from './packages.ts';
export { CardCheckout, CreditPackage, Payment, PaymentMethod, PaymentStatus } from './schemas.ts';
export type { PackageRow, PaymentRow } from './view.ts';
