/**
 * Transactional e-mail: the outbox, templates and transports.
 *
 * The module's public surface: code outside src/modules/mail/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { enqueueEmail, openQueuedEmail } from './outbox.ts';
export {
  existingAccountMessage,
  passwordChangedMessage,
  privacyRequestLinkMessage,
  resetPasswordMessage,
  supportAnswerMessage,
  verifyEmailMessage,
} from './templates.ts';
export { logTransport, type MailTransport, mailTransport, smtpTransport } from './transport.ts';
