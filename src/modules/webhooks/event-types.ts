import { type AccountEventType, ALL_EVENTS } from '../events/index.ts';

export { ALL_EVENTS };

/** The account events an endpoint can subscribe to; `*` subscribes to all of them (and to those added later). */
export const WEBHOOK_EVENT_TYPES = [
  'activation.updated',
  'sms.received',
  'balance.updated',
  'payment.updated',
  'support.message',
  'rental.updated',
  'rental.sms',
] as const satisfies readonly AccountEventType[];
/** Sent on request to one endpoint only, whatever it subscribed to. */
export const TEST_EVENT_TYPE = 'webhook.test';
/** The most endpoints one account may register. */
export const MAX_ENDPOINTS_PER_ACCOUNT = 10;
