import type { Config } from '../../config.ts';
import { recipientsFor } from './data-map.ts';

/**
 * The privacy policy, kept in the repository and rendered with the instance's settings (operator,
 * minimum age, SMS storage). REVISION changes when this text changes; a change of settings changes
 * the rendered text too, and `policy.ts` turns either into a new version customers must accept (P14).
 */
export const REVISION = '2026-11-22';

export function renderPolicy(config: Config): string {
  const contact = config.operatorContact ? ` You can reach us at ${config.operatorContact}.` : '';
  const sms =
    config.smsStorage === 'ephemeral'
      ? 'The text of the SMS you receive is shown to you only, in real time, and is **not stored** on our servers: we keep only that a message arrived and when. The verification code is kept with the order so that you can see it.'
      : 'The SMS you receive on a rented number are shown to you only, in your dashboard, and kept with your order history: reservation details for up to 6 months, your number history for up to 1 year.';
  // Each payment processor is named only where the operator configured it (the data map's recipients).
  const processors = recipientsFor(config)
    .map((recipient) => `\n  ${wrap(recipient.receives, '  ')}`)
    .join('');
  return `# Privacy policy

This service is operated by ${config.operatorName}.${contact} It rents temporary phone numbers so that you can
receive verification codes. This policy says what we collect, why, for how long, and what you can do about it.

## What we collect

- **Account**: with an e-mail account, your e-mail address and a password (stored only as an argon2id hash).
  With an anonymous account from our app, only an identifier of your device (stored as a keyed hash, never
  in clear) and, for support, its operating system and version, model and app version. We never collect
  your real phone number, name, location, contacts or photos.
- **Orders**: which service and country you rented a number for, the number, prices and status.
- **Messages**: ${sms}
- **Payments**: order number, status (created, pending, paid, failed), credits, amount, currency,
  timestamps and the payment processor's reference. We never store card or bank details or crypto keys.${processors}
- **Security**: sign-ins and other security events with the network part of your IP address (not the
  full address), a keyed hash of the address for abuse prevention, and your browser's user agent.

## What we do not do

- We do not sell your data and we run no advertising or third-party analytics trackers. We use only the
  cookies needed to keep you signed in and to protect your account.
- The providers we buy numbers from receive the service and country you asked for — never your e-mail,
  your account or device identifier, or your IP address.

## How long we keep it

- Account data: while your account exists.
- Transaction and payment records: 5 years (legal obligation), pseudonymised if you delete your account.
- Security events: 12 months. Error logs: 90 days. Usage statistics: 12 months.
- Reservation details: up to 6 months; number history shown in your dashboard: up to 1 year.

## Your rights

You can access, correct, export and delete your data, object to or restrict processing, and withdraw
consent, without any difference in how you are served. We answer within 30 days and verify that the
request comes from you first. When you delete your account, your data is deleted within 30 days;
transaction records are kept for the legal period and remaining credits are forfeited.

## Age

You must be at least ${config.minAge} years old to use this service.

## Changes

When this policy changes we show the new version in the app with its new "last updated" date, and ask
you to accept it before you continue.
`;
}

/** `text` folded at 100 columns, continuation lines indented by `indent` (the policy's Markdown list layout). */
function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > 100 - indent.length) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}
