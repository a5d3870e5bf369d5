import { describe, expect, it } from 'vitest';
import { REVENUECAT_SAMPLE_NAMES, revenueCatSample } from '../../../../test/fakes/revenuecat-events.ts';
import type { RevenueCatFact } from '../facts.ts';
import { type FactReading, readRevenueCatWebhook } from '../normalise.ts';

function factOf(reading: FactReading): RevenueCatFact {
  if (!reading.ok) throw new Error(`expected a fact, got: ${reading.message}`);
  return reading.fact;
}

function errorOf(reading: FactReading): string {
  if (reading.ok) throw new Error(`expected an error, got ${JSON.stringify(reading.fact)}`);
  return reading.message;
}

const weeklySubject = {
  appUserIds: ['1234567890'],
  product: 'com.subscription.weekly',
  productIds: ['com.subscription.weekly'],
  reference: '123456789012345',
  originalReference: '123456789012345',
};

describe('readRevenueCatWebhook on the documented samples', () => {
  it('INITIAL_PURCHASE is a purchase with the app user ids to try', () => {
    expect(factOf(readRevenueCatWebhook(revenueCatSample('initialPurchase')))).toEqual({
      kind: 'purchase',
      purchase: 'initial',
      eventId: '12345678-1234-1234-1234-000000000001',
      type: 'INITIAL_PURCHASE',
      environment: 'PRODUCTION',
      store: 'APP_STORE',
      eventAt: new Date(1658726378679),
      ...weeklySubject,
      at: new Date(1658726374000),
      periodEndsAt: new Date(1659331174000),
      amount: { amountMinor: 499, currency: 'USD' },
    });
  });

  it('RENEWAL and NON_RENEWING_PURCHASE are purchases too, in the currency paid', () => {
    expect(factOf(readRevenueCatWebhook(revenueCatSample('renewal')))).toMatchObject({
      kind: 'purchase',
      purchase: 'renewal',
      amount: { amountMinor: 799, currency: 'EUR' },
    });
    expect(factOf(readRevenueCatWebhook(revenueCatSample('nonRenewingPurchase')))).toMatchObject({
      kind: 'purchase',
      purchase: 'one_time',
      product: '2100_tokens',
      periodEndsAt: null,
      amount: { amountMinor: 3299, currency: 'CAD' },
    });
  });

  it('CANCELLATION is auto-renew off, or a refund when cancel_reason says so', () => {
    expect(factOf(readRevenueCatWebhook(revenueCatSample('cancellation')))).toMatchObject({
      kind: 'autoRenew',
      on: false,
      reason: 'UNSUBSCRIBE',
      appUserIds: ['user_1234'],
      reference: '100000000000002',
      originalReference: '100000000000000',
      periodEndsAt: new Date(1602022566000),
    });
    expect(factOf(readRevenueCatWebhook(revenueCatSample('refund')))).toMatchObject({
      kind: 'refund',
      reason: 'CUSTOMER_SUPPORT',
      reference: '100000000000000',
      appUserIds: ['user_1234'],
      amount: { amountMinor: 999, currency: 'USD' },
    });
  });

  it('treats a negative price, or a cancelled one-time purchase, as a refund whatever the reason', () => {
    // RevenueCat may not know the price: the reason alone makes it a refund.
    expect(factOf(readRevenueCatWebhook(revenueCatSample('refund', { price: null, price_in_purchased_currency: null })))).toMatchObject({
      kind: 'refund',
      amount: null,
    });
    expect(factOf(readRevenueCatWebhook(revenueCatSample('cancellation', { cancel_reason: 'UNKNOWN', price: -4.99 })))).toMatchObject({
      kind: 'refund',
    });
    expect(
      factOf(readRevenueCatWebhook(revenueCatSample('nonRenewingPurchase', { type: 'CANCELLATION', cancel_reason: 'UNKNOWN' }))),
    ).toMatchObject({
      kind: 'refund',
      product: '2100_tokens',
    });
    expect(factOf(readRevenueCatWebhook(revenueCatSample('cancellation', { cancel_reason: 'BILLING_ERROR' })))).toMatchObject({
      kind: 'autoRenew',
      on: false,
      reason: 'BILLING_ERROR',
    });
  });

  it('UNCANCELLATION, EXPIRATION, BILLING_ISSUE and PRODUCT_CHANGE', () => {
    expect(factOf(readRevenueCatWebhook(revenueCatSample('uncancellation')))).toMatchObject({
      kind: 'autoRenew',
      on: true,
      reason: null,
      product: 'com.subscription.monthly',
    });
    expect(factOf(readRevenueCatWebhook(revenueCatSample('expiration')))).toMatchObject({
      kind: 'expired',
      reason: 'UNSUBSCRIBE',
      at: new Date(1697451423000),
    });
    expect(factOf(readRevenueCatWebhook(revenueCatSample('billingIssue')))).toMatchObject({
      kind: 'billingIssue',
      gracePeriodEndsAt: new Date(1601923847000),
      appUserIds: [],
    });
    expect(factOf(readRevenueCatWebhook(revenueCatSample('productChange')))).toMatchObject({
      kind: 'productChange',
      product: 'com.revenuecat.myapp.monthly',
      newProduct: 'com.revenuecat.myapp.yearly',
      store: 'PLAY_STORE',
      reference: 'GPA.1234-1234-1234-12345',
    });
  });

  it('TRANSFER names both sides, without an app_user_id', () => {
    expect(factOf(readRevenueCatWebhook(revenueCatSample('transfer')))).toEqual({
      kind: 'transfer',
      eventId: 'CD489E0E-5D52-4E03-966B-A7F17788E432',
      type: 'TRANSFER',
      environment: 'PRODUCTION',
      store: 'APP_STORE',
      eventAt: new Date(78789789798798),
      from: ['00005A1C-6091-4F81-BE77-F0A83A271AB6'],
      to: ['4BEDB450-8EF2-11E9-B475-0800200C9A66'],
    });
  });

  it('TEST is a test, and the rest are ignored with a reason', () => {
    expect(factOf(readRevenueCatWebhook(revenueCatSample('initialPurchase', { type: 'TEST', id: 'evt-test' })))).toEqual({
      kind: 'test',
      eventId: 'evt-test',
      type: 'TEST',
    });
    for (const [name, because] of [
      ['subscriptionPaused', 'EXPIRATION that follows'],
      ['subscriptionExtended', 'no credits are due'],
      ['temporaryEntitlementGrant', 'INITIAL_PURCHASE that follows credits'],
      ['refundReversed', 'not handled automatically'],
      ['trialStarted', 'free trial started'],
    ] as const) {
      expect(factOf(readRevenueCatWebhook(revenueCatSample(name))), name).toMatchObject({
        kind: 'ignored',
        reason: expect.stringContaining(because),
      });
    }
    expect(
      factOf(readRevenueCatWebhook(revenueCatSample('initialPurchase', { type: 'SOMETHING_NEW_2027', environment: undefined }))),
    ).toMatchObject({
      kind: 'ignored',
      type: 'SOMETHING_NEW_2027',
      reason: 'SOMETHING_NEW_2027: an event type otpbox does not know.',
    });
    expect(factOf(readRevenueCatWebhook(revenueCatSample('nonRenewingPurchase', { store: 'PROMOTIONAL' })))).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('promotional grant'),
    });
  });

  it('never carries subscriber attributes, country or e-mail onwards', () => {
    for (const name of REVENUECAT_SAMPLE_NAMES) {
      const text = JSON.stringify(readRevenueCatWebhook(revenueCatSample(name)));
      expect(text, name).not.toMatch(/@|firstlast|subscriber_attributes|country|\$idfa|experiment/);
    }
  });
});

describe('readRevenueCatWebhook on other input', () => {
  it('tolerates unknown fields, and odd types in fields that only inform', () => {
    const body = revenueCatSample('initialPurchase', {
      price: 'free',
      currency: 42,
      period_type: ['NORMAL'],
      brand_new_field: { nested: true },
    });
    expect(factOf(readRevenueCatWebhook({ ...body, api_version: '2.0', extra: 1 }))).toMatchObject({ kind: 'purchase', amount: null });
  });

  it('reads numeric ids and timestamps written as text', () => {
    expect(
      factOf(
        readRevenueCatWebhook(
          revenueCatSample('initialPurchase', {
            transaction_id: 170000869511114,
            purchased_at_ms: '1658726374000',
            app_user_id: 'acc_01J',
          }),
        ),
      ),
    ).toMatchObject({ reference: '170000869511114', at: new Date(1658726374000), appUserIds: ['acc_01J'] });
  });

  it('orders app user ids, drops repeats and anonymous ids, and offers the Play subscription id', () => {
    const fact = factOf(
      readRevenueCatWebhook(
        revenueCatSample('initialPurchase', {
          app_user_id: '$RCAnonymousID:aaa',
          original_app_user_id: 'acc_device',
          aliases: ['$RCAnonymousID:aaa', 'acc_web', 'acc_device'],
          product_id: 'credits_monthly:monthly-base',
        }),
      ),
    );
    expect(fact).toMatchObject({ appUserIds: ['acc_device', 'acc_web'], productIds: ['credits_monthly:monthly-base', 'credits_monthly'] });
  });

  it('names what is wrong with a malformed body', () => {
    expect(errorOf(readRevenueCatWebhook(null))).toBe('Malformed RevenueCat webhook: Invalid input: expected object, received null.');
    expect(errorOf(readRevenueCatWebhook({ api_version: '1.0' }))).toContain('event: Invalid input: expected object, received undefined');
    expect(errorOf(readRevenueCatWebhook(revenueCatSample('initialPurchase', { id: undefined, type: 7 })))).toMatch(
      /event\.id: .*; event\.type: /,
    );
    expect(errorOf(readRevenueCatWebhook(revenueCatSample('initialPurchase', { purchased_at_ms: -5 })))).toContain(
      'event.purchased_at_ms: must be milliseconds since 1970',
    );
    expect(errorOf(readRevenueCatWebhook(revenueCatSample('initialPurchase', { aliases: 'user_1' })))).toContain('event.aliases');
  });

  it('refuses a handled event that lacks what its fact needs', () => {
    const id = '12345678-1234-1234-1234-000000000001';
    expect(errorOf(readRevenueCatWebhook(revenueCatSample('initialPurchase', { transaction_id: null })))).toBe(
      `RevenueCat INITIAL_PURCHASE event ${id} has no transaction_id.`,
    );
    expect(errorOf(readRevenueCatWebhook(revenueCatSample('initialPurchase', { product_id: undefined })))).toBe(
      `RevenueCat INITIAL_PURCHASE event ${id} has no product_id.`,
    );
    expect(errorOf(readRevenueCatWebhook(revenueCatSample('initialPurchase', { purchased_at_ms: null })))).toBe(
      `RevenueCat INITIAL_PURCHASE event ${id} has no purchased_at_ms.`,
    );
    expect(errorOf(readRevenueCatWebhook(revenueCatSample('initialPurchase', { environment: 'STAGING' })))).toContain(
      'environment must be PRODUCTION or SANDBOX, not "STAGING"',
    );
    expect(errorOf(readRevenueCatWebhook(revenueCatSample('transfer', { transferred_to: [] })))).toContain('has no transferred_to');
  });

  it('keeps the environment so the payments module can refuse SANDBOX while the sandbox is off', () => {
    expect(factOf(readRevenueCatWebhook(revenueCatSample('renewal', { environment: 'SANDBOX' })))).toMatchObject({
      kind: 'purchase',
      environment: 'SANDBOX',
    });
  });
});
