/**
 * Customers' webhook endpoints and the delivery of events to them.
 *
 * The module's public surface: code outside src/modules/webhooks/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { createWebhookEndpoint } from './create-endpoint.ts';
export { deleteWebhookEndpoint } from './delete-endpoint.ts';
export { deliverDueWebhooks } from './deliver.ts';
export { disableEndpointsLeftBy } from './disable-for-access.ts';
export { enableWebhookEndpoint } from './enable-endpoint.ts';
export { ALL_EVENTS, MAX_ENDPOINTS_PER_ACCOUNT, WEBHOOK_EVENT_TYPES } from './event-types.ts';
export { listDeliveries } from './list-deliveries.ts';
export { getWebhookEndpoint, listWebhookEndpoints } from './list-endpoints.ts';
export { rotateSigningSecret } from './rotate-secret.ts';
export { WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret } from './schemas.ts';
export { sendTestEvent } from './send-test-event.ts';
export { stopWebhooksOfAccount } from './stop-for-account.ts';
export { MAX_URL_LENGTH } from './url-policy.ts';
