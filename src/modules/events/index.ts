/**
 * Per-account events: recorded, announced and queued for webhooks in one statement; the stream cursor.
 *
 * The module's public surface: code outside src/modules/events/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export {
  type AccountEvent,
  type AccountEventType,
  CURRENT_BALANCE,
  EVENT_STATEMENTS,
  type EventToEmit,
  emitAccountEvents,
  emitCtes,
  emitValues,
  SMS_TEXT_FIELDS,
} from './emit.ts';
export { StreamCursor } from './stream-cursor.ts';
export { ALL_EVENTS } from './subscriptions.ts';
