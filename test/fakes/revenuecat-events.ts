/**
 * RevenueCat webhook bodies for tests, after the sample events in RevenueCat's documentation
 * (docs/integrations/webhooks/sample-events, RevenueCat/docs at 2026-02-20): the same fields and
 * values, except that each sample gets its own event id (the docs reuse one for all of them) and the
 * billing-issue sample carries `grace_period_expiration_at_ms` (documented in the field table).
 * `subscriber_attributes` keep the docs' e-mail address, so tests can check it goes nowhere.
 *
 * `revenueCatSample(name, overrides)` returns a fresh copy with the event's fields overridden;
 * `postRevenueCatWebhook(url, body, authorization)` POSTs it as RevenueCat does.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type RevenueCatSampleBody = { api_version: string; event: Record<string, Json> };

const anonymous = '$RCAnonymousID:8069238d6049ce87cc529853916d624c';
const originalAnonymous = '$RCAnonymousID:87c6049c58069238dce29853916d624c';
const email = { $email: { updated_at_ms: 1662955084635, value: 'firstlast@gmail.com' } };
const weekly = {
  product_id: 'com.subscription.weekly',
  period_type: 'NORMAL',
  environment: 'PRODUCTION',
  entitlement_id: null,
  entitlement_ids: ['pro'],
  presented_offering_id: null,
  transaction_id: '123456789012345',
  original_transaction_id: '123456789012345',
  is_family_share: false,
  country_code: 'US',
  app_user_id: '1234567890',
  aliases: [anonymous],
  original_app_user_id: originalAnonymous,
  currency: 'USD',
  subscriber_attributes: email,
  store: 'APP_STORE',
  takehome_percentage: 0.7,
  tax_percentage: 0.0,
  commission_percentage: 0.3,
  offer_code: null,
  app_id: '1234567890',
  experiments: [{ experiment_id: 'prexp123', experiment_variant: 'b', enrolled_at_ms: 1658726378679 }],
};
const monthly = {
  product_id: 'com.revenuecat.myapp.monthly',
  period_type: 'NORMAL',
  environment: 'PRODUCTION',
  entitlement_id: 'pro',
  entitlement_ids: ['pro'],
  presented_offering_id: 'defaultoffering',
  transaction_id: '100000000000002',
  original_transaction_id: '100000000000000',
  app_user_id: '$RCAnonymousID:12345678-1234-1234-1234-123456789123',
  aliases: ['$RCAnonymousID:12345678-1234-1234-1234-123456789123'],
  original_app_user_id: '$RCAnonymousID:12345678-1234-1234-1234-123456789123',
  offer_code: null,
  currency: 'USD',
  price: 0,
  price_in_purchased_currency: 0,
  subscriber_attributes: {},
  store: 'APP_STORE',
  takehome_percentage: 0.7,
  tax_percentage: 0.0,
  commission_percentage: 0.3,
};

const SAMPLES = {
  initialPurchase: {
    ...weekly,
    event_timestamp_ms: 1658726378679,
    purchased_at_ms: 1658726374000,
    expiration_at_ms: 1659331174000,
    price: 4.99,
    price_in_purchased_currency: 4.99,
    type: 'INITIAL_PURCHASE',
    id: '12345678-1234-1234-1234-000000000001',
  },
  renewal: {
    ...weekly,
    event_timestamp_ms: 1658726405017,
    purchased_at_ms: 1658755132000,
    expiration_at_ms: 1659359932000,
    country_code: 'DE',
    currency: 'EUR',
    is_trial_conversion: false,
    price: 8.14,
    price_in_purchased_currency: 7.99,
    type: 'RENEWAL',
    id: '12345678-1234-1234-1234-000000000002',
  },
  cancellation: {
    ...monthly,
    product_id: 'com.revenuecat.myapp.weekly',
    event_timestamp_ms: 1601337615995,
    purchased_at_ms: 1601417766000,
    expiration_at_ms: 1602022566000,
    app_user_id: '$RCAnonymousID:12345678-1234-1234-1234-123456789123',
    aliases: ['$RCAnonymousID:12345678-1234-ABCD-1234-123456789123', 'user_1234'],
    original_app_user_id: '$RCAnonymousID:12345678-1234-ABCD-1234-123456789123',
    offer_code: 'free_month',
    cancel_reason: 'UNSUBSCRIBE',
    type: 'CANCELLATION',
    id: '12345678-ABCD-1234-ABCD-000000000003',
  },
  uncancellation: {
    ...weekly,
    product_id: 'com.subscription.monthly',
    event_timestamp_ms: 1663982135337,
    purchased_at_ms: 1662643092000,
    expiration_at_ms: 1665235092000,
    entitlement_ids: ['plus'],
    presented_offering_id: 'plus',
    price: 0.0,
    price_in_purchased_currency: 0.0,
    subscriber_attributes: {},
    type: 'UNCANCELLATION',
    id: '12345678-1234-1234-1234-000000000004',
  },
  nonRenewingPurchase: {
    ...weekly,
    product_id: '2100_tokens',
    event_timestamp_ms: 1658726522314,
    purchased_at_ms: 1658726519000,
    expiration_at_ms: null,
    presented_offering_id: 'coins',
    country_code: 'CA',
    currency: 'CAD',
    price: 25.487,
    price_in_purchased_currency: 32.99,
    takehome_percentage: 0.85,
    commission_percentage: 0.15,
    type: 'NON_RENEWING_PURCHASE',
    id: '12345678-1234-1234-1234-000000000005',
  },
  subscriptionPaused: {
    ...weekly,
    product_id: 'premium',
    event_timestamp_ms: 1652796516000,
    purchased_at_ms: 1652681048845,
    expiration_at_ms: 1655366648845,
    auto_resume_at_ms: 1657951448845,
    price: 0.0,
    price_in_purchased_currency: 0.0,
    store: 'PLAY_STORE',
    type: 'SUBSCRIPTION_PAUSED',
    id: '12345678-1234-1234-1234-000000000006',
  },
  billingIssue: {
    ...monthly,
    event_timestamp_ms: 1601337601013,
    purchased_at_ms: 1598640647000,
    expiration_at_ms: 1601319047000,
    grace_period_expiration_at_ms: 1601923847000,
    offer_code: 'summer_special',
    type: 'BILLING_ISSUE',
    id: '12345678-1234-1234-1234-000000000007',
  },
  transfer: {
    app_id: '1234567890',
    event_timestamp_ms: 78789789798798,
    id: 'CD489E0E-5D52-4E03-966B-A7F17788E432',
    store: 'APP_STORE',
    transferred_from: ['00005A1C-6091-4F81-BE77-F0A83A271AB6'],
    transferred_to: ['4BEDB450-8EF2-11E9-B475-0800200C9A66'],
    type: 'TRANSFER',
    environment: 'PRODUCTION',
  },
  refund: {
    ...monthly,
    event_timestamp_ms: 1601337615995,
    purchased_at_ms: 1601258901000,
    expiration_at_ms: 1601336705000,
    transaction_id: '100000000000000',
    app_user_id: '$RCAnonymousID:12345678-1234-ABCD-1234-123456789123',
    aliases: ['$RCAnonymousID:12345678-1234-1234-1234-123456789123', 'user_1234'],
    cancel_reason: 'CUSTOMER_SUPPORT',
    price: -9.99,
    price_in_purchased_currency: -9.99,
    tax_percentage: 0.1109,
    type: 'CANCELLATION',
    id: '12345678-1234-1234-1234-000000000009',
  },
  productChange: {
    ...monthly,
    event_timestamp_ms: 1601338594769,
    purchased_at_ms: 1601304429682,
    expiration_at_ms: 1601311606660,
    entitlement_id: 'subscription',
    entitlement_ids: ['subscription'],
    transaction_id: 'GPA.1234-1234-1234-12345',
    original_transaction_id: 'GPA.1234-1234-1234-12345',
    new_product_id: 'com.revenuecat.myapp.yearly',
    store: 'PLAY_STORE',
    type: 'PRODUCT_CHANGE',
    id: '12345678-1234-1234-1234-000000000010',
  },
  expiration: {
    ...weekly,
    event_timestamp_ms: 1697451462232,
    purchased_at_ms: 1696846623000,
    expiration_at_ms: 1697451423000,
    original_app_user_id: anonymous,
    expiration_reason: 'UNSUBSCRIBE',
    price: 0.0,
    price_in_purchased_currency: 0.0,
    tax_percentage: 0.012,
    type: 'EXPIRATION',
    id: '12345678-1234-1234-1234-000000000013',
  },
  subscriptionExtended: {
    ...weekly,
    event_timestamp_ms: 1697451462232,
    purchased_at_ms: 1696846623000,
    expiration_at_ms: 1697451423000,
    price: 0.0,
    price_in_purchased_currency: 0.0,
    type: 'SUBSCRIPTION_EXTENDED',
    id: '12345678-1234-1234-1234-000000000014',
  },
  trialStarted: {
    ...weekly,
    product_id: 'com.subscription.yearly',
    period_type: 'TRIAL',
    event_timestamp_ms: 1658726366696,
    purchased_at_ms: 1658726358573,
    expiration_at_ms: 1658992117958,
    presented_offering_id: 'standard',
    country_code: 'PH',
    currency: 'PHP',
    price: 0,
    price_in_purchased_currency: 0,
    store: 'PLAY_STORE',
    type: 'INITIAL_PURCHASE',
    id: '12345678-1234-1234-1234-000000000011',
  },
  temporaryEntitlementGrant: {
    event_timestamp_ms: 1744824815307,
    app_user_id: '41234567890',
    store: 'APP_STORE',
    type: 'TEMPORARY_ENTITLEMENT_GRANT',
    id: '12345678-1234-1234-1234-000000000016',
    app_id: '1234567890',
  },
  refundReversed: {
    ...weekly,
    event_timestamp_ms: 1697451462232,
    purchased_at_ms: 1696846623000,
    expiration_at_ms: 1697451423000,
    original_app_user_id: '1234567890',
    price: 5.0,
    price_in_purchased_currency: 5.0,
    renewal_number: 3,
    type: 'REFUND_REVERSED',
    id: '12345678-1234-1234-1234-000000000017',
  },
} satisfies Record<string, Record<string, Json>>;

export type RevenueCatSampleName = keyof typeof SAMPLES;
export const REVENUECAT_SAMPLE_NAMES = Object.keys(SAMPLES) as RevenueCatSampleName[];

/** A fresh copy of a documented sample, with `overrides` applied to its event (`undefined` removes a field). */
export function revenueCatSample(name: RevenueCatSampleName, overrides: Record<string, Json | undefined> = {}): RevenueCatSampleBody {
  const event: Record<string, Json> = structuredClone(SAMPLES[name]);
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete event[key];
    else event[key] = value;
  }
  return { api_version: '1.0', event };
}

/** POST a webhook body as RevenueCat does: JSON, with the configured Authorization header value when given. */
export async function postRevenueCatWebhook(url: string, body: unknown, authorization?: string): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  const response = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: await response.text() };
}
