/**
 * Support conversations (P17): customers write to support about an order or in general, staff answer;
 * subjects and messages sealed under the customer's key (ADR 28), so erasure shreds them (ADR 34).
 *
 * The module's public surface: code outside src/modules/support/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { closeConversation } from './close-conversation.ts';
export { queueCursor } from './find-conversations.ts';
export { ownConversations, ownThread, queueViews, staffThread, threadView } from './read-thread.ts';
export {
  QueuedSupportConversation,
  StaffSupportThread,
  SupportConversation,
  SupportMessage,
  SupportStatus,
  SupportThread,
} from './schemas.ts';
export { startConversation } from './start-conversation.ts';
export { MAX_BODY, MAX_SUBJECT, SUPPORT_LIMITS } from './states.ts';
export { writeAsCustomer, writeAsStaff } from './write-message.ts';
