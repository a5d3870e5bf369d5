import type { Config } from '../../config.ts';
import { recipientsFor } from './data-map.ts';
import { CATEGORY_WORDS, periodWords, personalTablesByCategory, tableWords } from './policy-words.ts';

/**
 * The privacy policy, generated from the data map and the configuration in force: what we hold is
 * listed by walking the map (with each table's legal basis and retention), the periods are the
 * RETENTION_* settings, the processors are those configured. REVISION changes when the wording here
 * changes; a change of settings changes the rendered text too, and `policy.ts` turns either into a
 * new version customers must accept (P14).
 */
export const REVISION = '2026-12-05';

/** The days within which a rights request is answered (P11). */
export const RIGHTS_DEADLINE_DAYS = 30;

export function renderPolicy(config: Config): string {
  const contact = config.operatorContact ? ` You can reach us at ${config.operatorContact}.` : '';
  return `# Privacy policy

This service is operated by ${config.operatorName}.${contact} It rents temporary phone numbers so that you can
receive verification codes. This policy says what we collect, why, for how long, and what you can do about it.
It is generated from the same description of our data that our automatic deletion follows, with the
settings this service runs with: what it says is what the software does.

## Accounts

${accountWords(config)} We never collect your real phone number, your name, your location, your contacts
or your photos.

## Messages

${smsWords(config)}

## What we keep, why, and for how long
${dataClasses(config)}
## Payments

We store order number, status (created, pending, paid, failed), credits, amount, currency, timestamps and
the payment processor's references. We never store card or bank details or crypto keys.${processors(config)}

## What we do not do

- We do not sell your data and we run no advertising or third-party analytics trackers. We use only the
  cookies needed to keep you signed in and to protect your account.
- The providers we buy numbers from receive the service and country you asked for — never your e-mail,
  your account or device identifier, or your IP address.
- We keep no usage analytics: nothing about how you use the service beyond what is listed above.

## Your rights

${rightsWords(config)}

## Age

You must be at least ${config.minAge} years old to use this service.

## Changes

When this policy changes — its wording, or a setting it describes, such as a retention period — we show
the new version in the app with its new "last updated" date, and ask you to accept it before you continue.
`;
}

function smsWords(config: Config): string {
  return config.smsStorage === 'ephemeral'
    ? 'The text of the SMS you receive is shown to you only, in real time, and is **not stored** on our servers:\nwe keep only that a message arrived, when, and the verification code, so that you can see it with your order.'
    : 'The SMS you receive on a rented number are shown to you only, in your dashboard, and kept with your order\nhistory for the periods below.';
}

/** Every data class of the map that holds personal data, table by table, in words. */
function dataClasses(config: Config): string {
  return personalTablesByCategory()
    .map(
      ([category, tables]) =>
        `\n### ${CATEGORY_WORDS[category]}\n\n${tables.map(([table, entry]) => `- ${wrap(tableWords(table, entry, config), '  ')}`).join('\n')}\n`,
    )
    .join('');
}

/** Each payment processor is named only where the operator configured it (the data map's recipients). */
function processors(config: Config): string {
  const enabled = recipientsFor(config);
  if (enabled.length === 0) return '';
  return `\n\n${enabled.map((recipient) => `- ${wrap(recipient.receives, '  ')}`).join('\n')}`;
}

function rightsWords(config: Config): string {
  const days = RIGHTS_DEADLINE_DAYS;
  const contact = config.operatorContact ? ` You can also write to us at ${config.operatorContact}.` : '';
  const rights = [
    '**Access and portability**: download everything we hold about you, as one JSON file, from the Privacy centre.',
    '**Erasure**: delete your account from the Privacy centre, in the web app or the app. Your data is deleted' +
      ` within ${days} days; transaction records are kept for the legal period (${periodWords(config.retentionDays.RETENTION_TRANSACTIONS_DAYS)}), no longer linked to you by name or e-mail, and remaining credits are forfeited.`,
    '**Rectification**: change your e-mail address or password in your account, or ask us to correct anything else.',
    '**Objection and restriction**: object to processing based on our legitimate interest, or ask us to keep your data but stop processing it.',
    '**Withdrawal of consent**: withdraw consent you gave at any time; it does not affect what was done before.',
  ];
  return `${rights.map((right) => `- ${wrap(right, '  ')}`).join('\n')}

${wrap(
  `To use any of these rights, file a request in the Privacy centre (or through the API: \`POST /api/v1/privacy/requests\`). If you lost access to your account, the Privacy centre's request form also works by e-mail: we send a link to your account's address, and the request starts when you open it.${contact} We answer within ${days} days, check first that the request comes from you, and serve you no differently for using your rights.`,
  '',
)}`;
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

/** The accounts offered (ACCOUNT_KINDS), in words. */
function accountWords(config: Config): string {
  const email = config.accountKinds.includes('email');
  const device = config.accountKinds.includes('device');
  if (email && device) {
    return 'You can use this service with an e-mail account (your e-mail address and a password) or, in our app, with\nan anonymous account tied to your device: no e-mail, no name.';
  }
  if (email) return 'You use this service with an e-mail account: your e-mail address and a password.';
  return 'You use this service in our app, with an anonymous account tied to your device: no e-mail, no name.';
}
