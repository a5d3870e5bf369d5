import type { Config } from '../../config.ts';
import type { Email } from './outbox.ts';

/** Account e-mails. Links open the web app; the token also works with the API directly. */
const link = (config: Config, path: string, token: string) => `${config.publicUrl}${path}?token=${encodeURIComponent(token)}`;
const signature = (config: Config) => `\n\n— ${config.operatorName}`;

export function verifyEmailMessage(config: Config, to: string, token: string, accountId: string): Email {
  return {
    to,
    accountId,
    template: 'verify_email',
    subject: 'Confirm your e-mail address',
    text:
      `Confirm that this address is yours by opening this link within 30 minutes:\n\n${link(config, '/verify-email', token)}\n\n` +
      `(API: POST /api/v1/auth/verify-email with {"token": "${token}"})\n\nIf you did not create an account, ignore this message.${signature(config)}`,
  };
}

export function resetPasswordMessage(config: Config, to: string, token: string, accountId: string): Email {
  return {
    to,
    accountId,
    template: 'reset_password',
    subject: 'Reset your password',
    text:
      `Someone asked to reset the password of your account. To choose a new password, open this link within 30 minutes:\n\n` +
      `${link(config, '/reset-password', token)}\n\n(API: POST /api/v1/auth/password-reset/confirm with {"token": "${token}", "password": "…"})\n\n` +
      `Resetting signs you out everywhere. If it was not you, ignore this message: your password stays as it is.${signature(config)}`,
  };
}

export function existingAccountMessage(config: Config, to: string, accountId: string): Email {
  return {
    to,
    accountId,
    template: 'signup_existing',
    subject: 'Someone tried to sign up with your address',
    text:
      `Someone tried to create an account with this e-mail address, which already has one. If it was you, sign in at ` +
      `${config.publicUrl}, or reset your password there if you forgot it. If not, you can ignore this message.${signature(config)}`,
  };
}

export function passwordChangedMessage(config: Config, to: string, accountId: string, reset?: { apiKeysRevoked: number }): Email {
  const keys =
    reset && reset.apiKeysRevoked > 0
      ? ` Its API keys (${reset.apiKeysRevoked}) were revoked with the old password: make new ones for your scripts.`
      : '';
  return {
    to,
    accountId,
    template: 'password_changed',
    subject: 'Your password was changed',
    text: `The password of your account was just changed.${keys} If it was not you, reset your password at ${config.publicUrl} at once.${signature(config)}`,
  };
}

const RIGHT_NAMES: Record<string, string> = {
  access: 'a copy of your data',
  rectification: 'the correction of your data',
  erasure: 'the erasure of your data',
  portability: 'your data in a portable file',
  objection: 'an objection to processing',
  restriction: 'a restriction of processing',
  withdraw_consent: 'the withdrawal of your consent',
};

/** The one-time link that verifies a privacy request filed without signing in (P11). */
export function privacyRequestLinkMessage(config: Config, to: string, token: string, accountId: string, type: string): Email {
  return {
    to,
    accountId,
    template: 'privacy_request_link',
    subject: 'Confirm your privacy request',
    text:
      `Someone asked, for the account with this address, for ${RIGHT_NAMES[type] ?? type}. To confirm that it was you and start the request, ` +
      `open this link within 24 hours:\n\n${link(config, '/privacy/requests/verify', token)}\n\n` +
      `(API: POST /api/v1/privacy/requests/verify with {"token": "${token}"})\n\n` +
      `We answer within 30 days. If it was not you, ignore this message: nothing happens without the link.${signature(config)}`,
  };
}

/**
 * Support answered (P17). Only that an answer is waiting and where: never the answer, the question or
 * the subject, which would then sit in mailboxes and mail servers beyond the reach of erasure.
 */
export function supportAnswerMessage(config: Config, to: string, accountId: string, conversationId: string): Email {
  return {
    to,
    accountId,
    template: 'support_answer',
    subject: 'Support answered your message',
    text:
      `Our support team answered your message. Read the answer and reply here:\n\n${config.publicUrl}/support/${conversationId}\n\n` +
      `For your privacy, we do not copy support messages into e-mail.${signature(config)}`,
  };
}
