/**
 * Orders: create (with or without an Idempotency-Key), read, cancel/finish/retry, SMS in, and the handlers of the order jobs.
 *
 * The module's public surface: code outside src/modules/activations/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { cancelActivation, finishActivation, NUMBER_BANNED, retryActivation } from './actions.ts';
export { onLocalOrderChange } from './changes.ts';
export { createActivation } from './create.ts';
export { createWithIdempotencyKey, type KeyedCreation } from './create-with-key.ts';
export { deliverSandboxSms } from './deliver-sandbox-sms.ts';
export type { ActivationDeps } from './deps.ts';
export { endOrdersForErasure } from './end-for-erasure.ts';
export { EphemeralTexts } from './ephemeral.ts';
export { expireDue } from './expire.ts';
export { getActivation } from './get-activation.ts';
export { hashExistingNumbers, NUMBERS_HASHED_SETTING } from './hash-existing-numbers.ts';
export { listActivations } from './list-activations.ts';
export { getOpenedOrder, type OpenedOrder, type OpenedRow, openOrder, openOrders, type StoredRow } from './opened-order.ts';
export {
  type OrderSms,
  orderColumns,
  orderFromRow,
  orderSms,
  orderSmsInsert,
  orderSmsValues,
} from './order-sms.ts';
export { pageActivations } from './page-activations.ts';
export { pollUpstream } from './poll-upstream.ts';
export { runProviderTasks } from './provider-tasks.ts';
export { receiveSms, type SmsOutcome, settleOrderSms } from './receive-sms.ts';
export { reconcileUpstream, type Suspects } from './reconcile-upstream.ts';
export { Activation, type ActivationView, PublicStatus } from './schemas.ts';
export { ACTIVATION_STATUSES, type ActivationStatus, allows, CREATED_EVENT, INITIAL_STATUS, isOpen, OPEN_STATUSES } from './states.ts';
export { ACTIVATION_STATEMENTS } from './store.ts';
export { type ActivationRow, maskPhone, type SmsRow, smsOf, smsOfOne, toView } from './view.ts';
