/**
 * RevenueCat (App Store / Google Play purchases): the webhook's authorization check, its body schema,
 * and the normaliser that turns each event into a fact in otpbox's terms. No database here.
 */
export { verifyRevenueCatAuthorization } from './authorization.ts';
export type { PurchaseSubject, RevenueCatEnvironment, RevenueCatFact, RevenueCatFactKind, StoreAmount } from './facts.ts';
export { type FactReading, normaliseRevenueCatEvent, readRevenueCatWebhook } from './normalise.ts';
export {
  type ParsedWebhook,
  parseRevenueCatWebhook,
  type RevenueCatEvent,
  type RevenueCatWebhookBody,
  revenueCatEvent,
  revenueCatWebhookBody,
} from './schema.ts';
