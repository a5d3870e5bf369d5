import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../config.ts';
import { DATA_MAP, type TableEntry } from '../data-map.ts';
import { renderPolicy } from '../policy-text.ts';
import { periodWords, personalTablesByCategory, retentionWords, TABLE_WORDS, tableWords } from '../policy-words.ts';

/** The policy with its line breaks as spaces: a sentence may be folded anywhere. */
const renderPolicyFlat = (config: Parameters<typeof renderPolicy>[0]) => renderPolicy(config).replace(/\s+/g, ' ');

describe('the published policy', () => {
  it('names Stripe only when card payments through it are configured', () => {
    expect(renderPolicy(testConfig())).not.toContain('Stripe');
    const withStripe = renderPolicy(testConfig({ STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: 'whsec_x' }));
    expect(withStripe).toContain('Card payments are made on the payment page of **Stripe**');
    expect(withStripe).toContain('We never store card or bank details or crypto keys.');
    expect(withStripe).not.toMatch(/Blockonomics|RevenueCat/);
  });

  it('names Blockonomics and RevenueCat only when bitcoin and app-store payments are configured', () => {
    const plain = renderPolicy(testConfig());
    expect(plain).not.toMatch(/Blockonomics|RevenueCat/);
    const all = renderPolicyFlat(
      testConfig({
        BLOCKONOMICS_API_KEY: 'blockonomics-key-0123456789',
        BLOCKONOMICS_CALLBACK_SECRET: 'blockonomics-callback-secret-0123456789',
        REVENUECAT_WEBHOOK_AUTH: 'Bearer revenuecat-0123456789',
      }),
    );
    expect(all).toContain('Bitcoin payments go to an address **Blockonomics** makes for each payment');
    expect(all).toContain('reported to us by **RevenueCat**');
    expect(all).not.toContain('Stripe');
  });
});

describe('the policy walks the data map', () => {
  it('describes every table holding personal data, in a data class with a heading', () => {
    const personal = Object.entries(DATA_MAP)
      .filter(([, entry]) => entry.erasure !== 'not_personal')
      .map(([table]) => table);
    expect(
      personal.filter((table) => TABLE_WORDS[table] === undefined),
      'add their words to policy-words.ts',
    ).toEqual([]);
    expect(
      Object.keys(TABLE_WORDS).filter((table) => !personal.includes(table)),
      'words for tables that hold no personal data',
    ).toEqual([]);
    const listed = personalTablesByCategory().flatMap(([, tables]) => tables.map(([table]) => table));
    expect(listed.sort()).toEqual(personal.sort());
    const text = renderPolicyFlat(testConfig());
    for (const table of personal) expect(text).toContain((TABLE_WORDS[table] ?? '').slice(1, 40));
  });

  it('says periods as a person would', () => {
    expect([1, 2, 30, 90, 180, 365, 366, 730, 1826, 400].map(periodWords)).toEqual([
      '1 day',
      '2 days',
      '30 days',
      '90 days',
      '6 months',
      '1 year',
      '1 year',
      '2 years',
      '5 years',
      '400 days',
    ]);
  });

  it('words each entry with its legal basis, its retention in force and what erasure does', () => {
    const config = testConfig();
    expect(tableWords('activations', DATA_MAP.activations as TableEntry, config)).toBe(
      'Your orders: the number you rented, for which service and country, its price and what became of it, to provide the service you asked for (contract). Kept 1 year after the order was placed, with whatever is left of its details. If you delete your account: deleted.',
    );
    expect(retentionWords((DATA_MAP.security_events as TableEntry).retention, testConfig({ RETENTION_SECURITY_IP_DAYS: '30' }))).toBe(
      '1 year after it happened; the network part of your IP address, its keyed hash and your browser’s user agent are removed 30 days after it happened',
    );
    expect(tableWords('payments', DATA_MAP.payments as TableEntry, testConfig({ RETENTION_TRANSACTIONS_DAYS: '3653' }))).toContain(
      'because the law requires it (legal obligation). Kept 10 years after it was created (the legal period for transaction records). If you delete your account: kept for the legal period',
    );
    expect(tableWords('devices', DATA_MAP.devices as TableEntry, config)).toMatch(/Kept while your account exists\.$/);
  });

  it('follows the settings in force: SMS storage, minimum age, periods, rights with their deadline and how to use them', () => {
    const defaults = renderPolicyFlat(testConfig());
    expect(defaults).toContain('kept with your order history for the periods below');
    expect(defaults).toContain('Kept 6 months after it arrived.');
    expect(defaults).toContain('You must be at least 18 years old');
    const changed = renderPolicyFlat(testConfig({ SMS_STORAGE: 'ephemeral', MIN_AGE: '13', RETENTION_RESERVATIONS_DAYS: '30' }));
    expect(changed).toContain('is **not stored** on our servers');
    expect(changed).toContain('You must be at least 13 years old');
    expect(changed).toContain(
      'The verification messages your orders received, shown only to you, to provide the service you asked for (contract). Kept 30 days after it arrived.',
    );
    for (const right of ['Access and portability', 'Erasure', 'Rectification', 'Objection and restriction', 'Withdrawal of consent']) {
      expect(defaults).toContain(`**${right}**`);
    }
    expect(defaults).toContain('We answer within 30 days');
    expect(defaults).toContain('`POST /api/v1/privacy/requests`');
    expect(defaults).toContain('works by e-mail');
    expect(renderPolicyFlat(testConfig({ OPERATOR_CONTACT: 'privacy@example.com' }))).toContain(
      'You can also write to us at privacy@example.com.',
    );
  });
});
