import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activations, authThrottles, payments } from '../src/db/schema/index.ts';
import { createLogger } from '../src/lib/logger.ts';
import { createApiKey } from '../src/modules/accounts/index.ts';
import { createActivation, receiveSms } from '../src/modules/activations/index.ts';
import { iconSpriteUrl } from '../src/modules/catalog/index.ts';
import { numberOrders } from '../src/modules/order-numbers/index.ts';
import { lockoutRef } from '../src/modules/security/index.ts';
import { type FakeStripe, startFakeStripe } from './fakes/stripe-server.ts';
import { ctxOf, GOOD_PASSWORD, newDeviceCredentials, signedIn, signUp, uniqueEmail } from './support/actors.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import {
  type Actors,
  checkRouteMatrix,
  checkUnstorableText,
  createActors,
  documentedApiOperations,
  documentedApiRoutes,
  type RouteSpec,
} from './support/route-matrix.ts';
import { STRIPE_WEBHOOK_SECRET } from './support/stripe.ts';
import { stripeDelivery } from './support/stripe-events.ts';

/**
 * Every /api/v1 route, with who may call it. The coverage test below fails when a route exists that is
 * not listed here: add new routes to this list (with `owned` where the route acts on one account's object).
 */
const ROUTES: RouteSpec[] = [
  // auth (public entry points)
  { method: 'POST', route: '/api/v1/auth/signup', access: 'public', body: {} },
  { method: 'POST', route: '/api/v1/auth/login', access: 'public', body: { email: 'nobody@example.com', password: 'x' } },
  { method: 'POST', route: '/api/v1/auth/login/totp', access: 'public', body: { code: '123456' } },
  { method: 'POST', route: '/api/v1/auth/enrol', access: 'public', body: { token: 'otp_enr_invalid-token' } },
  { method: 'POST', route: '/api/v1/auth/enrol/confirm', access: 'public', body: { token: 'otp_enr_invalid-token', code: '123456' } },
  { method: 'POST', route: '/api/v1/auth/device', access: 'public', body: {} },
  { method: 'POST', route: '/api/v1/auth/verify-email', access: 'public', body: { token: 'otp_eml_invalid-token' } },
  { method: 'POST', route: '/api/v1/auth/password-reset', access: 'public', body: { email: 'nobody@example.com' } },
  {
    method: 'POST',
    route: '/api/v1/auth/password-reset/confirm',
    access: 'public',
    body: { token: 'otp_eml_invalid-token', password: 'x' },
  },
  { method: 'GET', route: '/api/v1/privacy/policy', access: 'public' },
  { method: 'GET', route: '/api/v1/packages', access: 'public' },
  // signed-in
  { method: 'POST', route: '/api/v1/auth/logout', access: 'signed-in', body: {}, ownerHeaders: deviceTokenOf },
  {
    method: 'POST',
    route: '/api/v1/auth/upgrade',
    access: 'signed-in',
    target: async () => ({ url: '/api/v1/auth/upgrade', body: { email: uniqueEmail('upgrade'), password: 'a good long password 1' } }),
    ownerHeaders: async (t) => deviceTokenOf(t),
    apiKey: 'refused',
  },
  { method: 'POST', route: '/api/v1/auth/verify-email/resend', access: 'signed-in', body: {} },
  {
    method: 'POST',
    route: '/api/v1/auth/password',
    access: 'signed-in',
    body: { currentPassword: 'correct horse battery staple 42', newPassword: 'another long passphrase 3' },
    // An account of its own each time: the shared owner keeps its password, for the sessions below.
    ownerHeaders: async (t) => ({ cookie: (await signUp(t)).cookie }),
    apiKey: 'refused',
  },
  { method: 'GET', route: '/api/v1/me', access: 'signed-in' },
  { method: 'GET', route: '/api/v1/sessions', access: 'signed-in' },
  // What would hand the account to a key's holder is for the owner signed in (an API key is refused, 403).
  { method: 'POST', route: '/api/v1/sessions/revoke-others', access: 'signed-in', body: {}, ownerHeaders: signedIn, apiKey: 'refused' },
  {
    method: 'DELETE',
    route: '/api/v1/sessions/:id',
    access: 'signed-in',
    owned: true,
    target: ownSession,
    ownerHeaders: signedIn,
    strangerHeaders: signedIn,
    apiKey: 'refused',
  },
  { method: 'GET', route: '/api/v1/security-events', access: 'signed-in' },
  { method: 'GET', route: '/api/v1/ledger/statement', access: 'signed-in' },
  { method: 'POST', route: '/api/v1/api-keys', access: 'signed-in', body: { name: 'matrix' }, ownerHeaders: signedIn, apiKey: 'refused' },
  { method: 'GET', route: '/api/v1/api-keys', access: 'signed-in' },
  {
    method: 'DELETE',
    route: '/api/v1/api-keys/:id',
    access: 'signed-in',
    owned: true,
    target: async (t, owner) => ({ url: `/api/v1/api-keys/${(await createApiKey(ctxOf(t), owner.accountId, 'to revoke')).id}` }),
  },
  {
    method: 'POST',
    route: '/api/v1/privacy/consent',
    access: 'signed-in',
    target: async (t) => ({ url: '/api/v1/privacy/consent', body: { policyVersion: t.policy.version, ageConfirmed: true } }),
    ownerHeaders: signedIn,
    apiKey: 'refused',
  },
  // catalog (public)
  { method: 'GET', route: '/api/v1/services', access: 'public' },
  {
    method: 'GET',
    route: '/api/v1/services/:code/icon.svg',
    access: 'public',
    target: async () => ({ url: '/api/v1/services/tg/icon.svg' }),
  },
  {
    method: 'GET',
    route: '/api/v1/services/icons/:file',
    access: 'public',
    target: async () => ({ url: iconSpriteUrl() }),
  },
  { method: 'GET', route: '/api/v1/countries', access: 'public' },
  { method: 'GET', route: '/api/v1/prices', access: 'public' },
  // orders
  { method: 'POST', route: '/api/v1/activations', access: 'signed-in', target: funded({ service: 'tg', country: 'ID' }) },
  { method: 'GET', route: '/api/v1/activations', access: 'signed-in' },
  { method: 'GET', route: '/api/v1/activations/:id', access: 'signed-in', owned: true, target: anOrder('') },
  { method: 'POST', route: '/api/v1/activations/:id/cancel', access: 'signed-in', owned: true, target: anOrder('/cancel', 'cancellable') },
  { method: 'POST', route: '/api/v1/activations/:id/finish', access: 'signed-in', owned: true, target: anOrder('/finish', 'received') },
  { method: 'POST', route: '/api/v1/activations/:id/retry', access: 'signed-in', owned: true, target: anOrder('/retry', 'received') },
  {
    method: 'POST',
    route: '/api/v1/sandbox/sms',
    access: 'signed-in',
    owned: true,
    target: async (t, owner) => {
      const order = await placeOrder(t, owner);
      return { url: '/api/v1/sandbox/sms', body: { activationId: order.id, text: 'Telegram code: 12345' } };
    },
  },
  { method: 'GET', route: '/api/v1/events', access: 'signed-in', streaming: true },
  { method: 'GET', route: '/api/v1/sandbox', access: 'public' },
  { method: 'POST', route: '/api/v1/sandbox/credits', access: 'signed-in', body: { amount: 100 } },
  // payments
  {
    method: 'POST',
    route: '/api/v1/payments/checkout',
    access: 'signed-in',
    target: async (t) => ({ url: '/api/v1/payments/checkout', body: { package: await aPackage(t), method: 'card' } }),
  },
  { method: 'GET', route: '/api/v1/payments', access: 'signed-in' },
  {
    method: 'GET',
    route: '/api/v1/payments/:id',
    access: 'signed-in',
    owned: true,
    target: async (t, owner) => ({ url: `/api/v1/payments/${(await aCheckout(t, owner)).paymentId}` }),
  },
  {
    method: 'POST',
    route: '/api/v1/payments/:id/refresh',
    access: 'signed-in',
    owned: true,
    target: async (t, owner) => ({ url: `/api/v1/payments/${(await aCheckout(t, owner)).paymentId}/refresh` }),
  },
  {
    method: 'GET',
    route: '/api/v1/payments/:id/receipt',
    access: 'signed-in',
    owned: true,
    target: async (t, owner) => ({ url: `/api/v1/payments/${(await aPaidCheckout(t, owner)).paymentId}/receipt` }),
  },
  { method: 'GET', route: '/api/v1/subscriptions', access: 'signed-in' },
  {
    method: 'POST',
    route: '/api/v1/subscriptions/:id/portal',
    access: 'signed-in',
    owned: true,
    target: async (t, owner) => ({ url: `/api/v1/subscriptions/${await aSubscription(t, owner)}/portal` }),
  },
  // webhooks
  { method: 'POST', route: '/api/v1/webhook-endpoints', access: 'signed-in', body: { url: 'https://hooks.example.com/matrix' } },
  { method: 'GET', route: '/api/v1/webhook-endpoints', access: 'signed-in' },
  { method: 'GET', route: '/api/v1/webhook-endpoints/:id', access: 'signed-in', owned: true, target: anEndpoint('') },
  { method: 'DELETE', route: '/api/v1/webhook-endpoints/:id', access: 'signed-in', owned: true, target: anEndpoint('') },
  {
    method: 'POST',
    route: '/api/v1/webhook-endpoints/:id/rotate-secret',
    access: 'signed-in',
    owned: true,
    target: anEndpoint('/rotate-secret'),
  },
  { method: 'POST', route: '/api/v1/webhook-endpoints/:id/enable', access: 'signed-in', owned: true, target: anEndpoint('/enable') },
  { method: 'POST', route: '/api/v1/webhook-endpoints/:id/test', access: 'signed-in', owned: true, target: anEndpoint('/test') },
  {
    method: 'GET',
    route: '/api/v1/webhook-endpoints/:id/deliveries',
    access: 'signed-in',
    owned: true,
    target: anEndpoint('/deliveries'),
  },
  // privacy requests (P11)
  {
    method: 'POST',
    route: '/api/v1/privacy/requests',
    access: 'signed-in',
    target: async (t, owner) => {
      await noOpenRequest(t, owner.accountId, 'portability');
      return { url: '/api/v1/privacy/requests', body: { type: 'portability', details: 'matrix' } };
    },
    ownerHeaders: signedIn,
    apiKey: 'refused',
  },
  { method: 'GET', route: '/api/v1/privacy/requests', access: 'signed-in' },
  { method: 'GET', route: '/api/v1/privacy/requests/:id', access: 'signed-in', owned: true, target: aPrivacyRequest('') },
  {
    method: 'POST',
    route: '/api/v1/privacy/requests/:id/withdraw',
    access: 'signed-in',
    owned: true,
    target: aPrivacyRequest('/withdraw'),
    ownerHeaders: signedIn,
    strangerHeaders: signedIn,
    apiKey: 'refused',
  },
  {
    method: 'POST',
    route: '/api/v1/privacy/requests/by-email',
    access: 'public',
    body: { email: 'nobody@example.com', type: 'access', details: 'matrix' },
  },
  { method: 'POST', route: '/api/v1/privacy/requests/verify', access: 'public', body: { token: 'otp_prq_invalid-token' } },
  { method: 'GET', route: '/api/v1/admin/privacy/requests', access: ['support', 'admin'] },
  { method: 'GET', route: '/api/v1/admin/privacy/retention', access: ['support', 'admin'] },
  { method: 'GET', route: '/api/v1/admin/privacy/retention/preview', access: ['support', 'admin'] },
  { method: 'GET', route: '/api/v1/admin/overview', access: ['support', 'admin'] },
  { method: 'GET', route: '/api/v1/admin/jobs', access: ['support', 'admin'] },
  { method: 'GET', route: '/api/v1/admin/events', access: ['support', 'admin'], streaming: true },
  // console security review (admin only)
  { method: 'GET', route: '/api/v1/admin/security/events', access: ['admin'] },
  { method: 'GET', route: '/api/v1/admin/security/lockouts', access: ['admin'] },
  {
    method: 'POST',
    route: '/api/v1/admin/security/lockouts/:ref/lift',
    access: ['admin'],
    target: async (t) => ({ url: `/api/v1/admin/security/lockouts/${await aLockout(t)}/lift`, body: { reason: 'matrix test' } }),
  },
  { method: 'GET', route: '/api/v1/admin/security/audit', access: ['admin'] },
  {
    method: 'POST',
    route: '/api/v1/admin/privacy/requests/:id',
    access: ['support', 'admin'],
    target: async (t) => {
      const { fileRequest } = await import('../src/modules/privacy/index.ts');
      const request = await fileRequest(ctxOf(t), { accountId: (await fresh(t)).accountId, type: 'objection', details: 'matrix' });
      return { url: `/api/v1/admin/privacy/requests/${request.id}`, body: { status: 'refused', note: 'matrix test' } };
    },
  },
  {
    method: 'POST',
    route: '/api/v1/admin/privacy/requests/:id/lift',
    access: ['support', 'admin'],
    target: async (t) => {
      const { fileRequest, moveRequest } = await import('../src/modules/privacy/index.ts');
      const { endAllAccess, setProcessingRestriction } = await import('../src/modules/accounts/index.ts');
      const request = await fileRequest(ctxOf(t), { accountId: (await fresh(t)).accountId, type: 'restriction' });
      await moveRequest(ctxOf(t, 'cli'), { setProcessingRestriction, endAccess: endAllAccess }, request.id, {
        to: 'completed',
        note: 'matrix',
      });
      return { url: `/api/v1/admin/privacy/requests/${request.id}/lift`, body: { reason: 'matrix test' } };
    },
  },
  // support conversations (P17)
  {
    method: 'POST',
    route: '/api/v1/support/conversations',
    access: 'signed-in',
    body: { subject: 'Matrix question', body: 'Where is my code?' },
  },
  // rentals of pool numbers (ADR 42)
  { method: 'GET', route: '/api/v1/rentals/offers', access: 'public' },
  { method: 'POST', route: '/api/v1/rentals', access: 'signed-in', target: aRentalRequest() },
  { method: 'GET', route: '/api/v1/rentals', access: 'signed-in' },
  { method: 'GET', route: '/api/v1/rentals/:id', access: 'signed-in', owned: true, target: aRental('') },
  { method: 'POST', route: '/api/v1/rentals/:id/renew', access: 'signed-in', owned: true, target: aRental('/renew', { days: 1 }) },
  {
    method: 'POST',
    route: '/api/v1/rentals/:id/auto-renew',
    access: 'signed-in',
    owned: true,
    target: aRental('/auto-renew', { autoRenew: true }),
  },
  { method: 'POST', route: '/api/v1/rentals/:id/cancel', access: 'signed-in', owned: true, target: aRental('/cancel') },
  { method: 'GET', route: '/api/v1/support/conversations', access: 'signed-in' },
  { method: 'GET', route: '/api/v1/support/conversations/:id', access: 'signed-in', owned: true, target: aConversation('') },
  {
    method: 'POST',
    route: '/api/v1/support/conversations/:id/messages',
    access: 'signed-in',
    owned: true,
    target: aConversation('/messages', { body: 'A follow-up' }),
  },
  { method: 'POST', route: '/api/v1/support/conversations/:id/close', access: 'signed-in', owned: true, target: aConversation('/close') },
  { method: 'GET', route: '/api/v1/admin/support/conversations', access: ['support', 'admin'] },
  { method: 'GET', route: '/api/v1/admin/support/conversations/:id', access: ['support', 'admin'], target: aCustomersConversation('') },
  {
    method: 'POST',
    route: '/api/v1/admin/support/conversations/:id/messages',
    access: ['support', 'admin'],
    target: aCustomersConversation('/messages', { body: 'An answer' }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/support/conversations/:id/close',
    access: ['support', 'admin'],
    target: aCustomersConversation('/close'),
  },
  // privacy: the export needs a session or the app's device token (an API key is refused)
  { method: 'GET', route: '/api/v1/privacy/export', access: 'signed-in', ownerHeaders: deviceTokenOf, apiKey: 'refused' },
  { method: 'GET', route: '/api/v1/privacy/access-log', access: 'signed-in' },
  // A device account deletes itself with its device token (API keys are refused: 403).
  {
    method: 'POST',
    route: '/api/v1/privacy/delete',
    access: 'signed-in',
    body: { confirm: true },
    ownerHeaders: deviceTokenOf,
    apiKey: 'refused',
  },
  // staff
  {
    method: 'GET',
    route: '/api/v1/admin/accounts/:id',
    access: ['support', 'admin'],
    target: async (_t) => ({ url: `/api/v1/admin/accounts/${actors.customer.accountId}` }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/accounts/:id/suspend',
    access: ['support', 'admin'],
    target: async (t) => ({ url: `/api/v1/admin/accounts/${(await fresh(t)).accountId}/suspend`, body: { reason: 'matrix test' } }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/accounts/:id/unsuspend',
    access: ['admin'],
    target: async (t) => ({ url: `/api/v1/admin/accounts/${(await fresh(t)).accountId}/unsuspend`, body: { reason: 'matrix test' } }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/accounts/:id/role',
    access: ['admin'],
    target: async (t) => ({
      url: `/api/v1/admin/accounts/${(await fresh(t)).accountId}/role`,
      body: { role: 'customer', reason: 'matrix test' },
    }),
  },
  {
    method: 'GET',
    route: '/api/v1/admin/accounts',
    access: ['support', 'admin'],
    target: async () => ({ url: '/api/v1/admin/accounts?q=nobody@example.com' }),
  },
  {
    method: 'GET',
    route: '/api/v1/admin/accounts/:id/activity',
    access: ['support', 'admin'],
    target: async (_t) => ({ url: `/api/v1/admin/accounts/${actors.customer.accountId}/activity` }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/accounts/:id/credits',
    access: ['support', 'admin'],
    target: async (t) => ({
      url: `/api/v1/admin/accounts/${(await fresh(t)).accountId}/credits`,
      body: { amount: 5, reason: 'matrix test' },
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/accounts/:id/credits/deduct',
    access: ['admin'],
    target: async (t) => ({
      url: `/api/v1/admin/accounts/${(await fundedCustomer(t)).accountId}/credits/deduct`,
      body: { amount: 5, reason: 'matrix test' },
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/accounts/:id/restrict',
    access: ['support', 'admin'],
    target: async (t) => ({ url: `/api/v1/admin/accounts/${(await fresh(t)).accountId}/restrict`, body: { reason: 'matrix test' } }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/accounts/:id/lift-restriction',
    access: ['admin'],
    target: async (t) => ({
      url: `/api/v1/admin/accounts/${(await fresh(t)).accountId}/lift-restriction`,
      body: { reason: 'matrix test' },
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/accounts/:id/end-sessions',
    access: ['support', 'admin'],
    target: async (t) => ({ url: `/api/v1/admin/accounts/${(await fresh(t)).accountId}/end-sessions`, body: { reason: 'matrix test' } }),
  },
  { method: 'GET', route: '/api/v1/admin/settings/support-grant-limit', access: ['support', 'admin'] },
  {
    method: 'POST',
    route: '/api/v1/admin/settings/support-grant-limit',
    access: ['admin'],
    body: { credits: 500, reason: 'matrix test' },
  },
  // console: providers (support reads, admin changes)
  { method: 'GET', route: '/api/v1/admin/providers', access: ['support', 'admin'] },
  {
    method: 'POST',
    route: '/api/v1/admin/providers',
    access: ['admin'],
    target: async () => ({
      url: '/api/v1/admin/providers',
      body: { kind: '5sim', name: matrixProviderName(), apiKey: 'matrix-key', reason: 'matrix test' },
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/providers/:id',
    access: ['admin'],
    target: async (t) => ({ url: `/api/v1/admin/providers/${await aProvider(t)}`, body: { priority: 5, reason: 'matrix test' } }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/providers/:id/remove',
    access: ['admin'],
    target: async (t) => ({ url: `/api/v1/admin/providers/${await aProvider(t)}/remove`, body: { reason: 'matrix test' } }),
  },
  // console: catalog (support reads, admin changes)
  { method: 'GET', route: '/api/v1/admin/catalog/rules', access: ['support', 'admin'] },
  {
    method: 'POST',
    route: '/api/v1/admin/catalog/rules',
    access: ['admin'],
    body: { service: 'go', country: 'FR', markupPercent: '10', reason: 'matrix test' },
  },
  {
    method: 'GET',
    route: '/api/v1/admin/catalog/preview',
    access: ['support', 'admin'],
    target: async () => ({ url: '/api/v1/admin/catalog/preview?service=tg&country=ID' }),
  },
  // console: payments (support reads, admin refunds)
  { method: 'GET', route: '/api/v1/admin/payments', access: ['support', 'admin'] },
  {
    method: 'GET',
    route: '/api/v1/admin/orders',
    access: ['support', 'admin'],
    target: async () => ({ url: '/api/v1/admin/orders?q=%2B15550000000' }),
  },
  {
    method: 'GET',
    route: '/api/v1/admin/orders/:id',
    access: ['support', 'admin'],
    target: async (t) => ({ url: `/api/v1/admin/orders/${(await placeOrder(t, await fresh(t))).id}` }),
  },
  {
    method: 'GET',
    route: '/api/v1/admin/payments/:id',
    access: ['support', 'admin'],
    target: async (t) => ({ url: `/api/v1/admin/payments/${(await aCheckout(t, await fresh(t))).paymentId}` }),
  },
  // console: staff accounts (admin only)
  { method: 'GET', route: '/api/v1/admin/staff', access: ['admin'] },
  {
    method: 'POST',
    route: '/api/v1/admin/staff',
    access: ['admin'],
    target: async () => ({
      url: '/api/v1/admin/staff',
      body: { email: uniqueEmail('matrix-staff'), role: 'support', password: GOOD_PASSWORD, reason: 'matrix test' },
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/staff/:id/reset-second-factor',
    access: ['admin'],
    target: async (t) => {
      const { createStaffAccount } = await import('../src/modules/accounts/index.ts');
      const { accountId } = await createStaffAccount(ctxOf(t, 'cli'), {
        email: uniqueEmail('matrix-reset'),
        password: GOOD_PASSWORD,
        role: 'support',
      });
      return { url: `/api/v1/admin/staff/${accountId}/reset-second-factor`, body: { reason: 'matrix test' } };
    },
  },
  // console: packages (support reads, admin adds and disables)
  { method: 'GET', route: '/api/v1/admin/packages', access: ['support', 'admin'] },
  {
    method: 'POST',
    route: '/api/v1/admin/packages',
    access: ['admin'],
    target: async () => ({
      url: '/api/v1/admin/packages',
      body: { code: `matrix-new-${++packages}`, credits: 100, price: 500, currency: 'USD', reason: 'matrix test' },
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/packages/:code/disable',
    access: ['admin'],
    target: async (t) => ({ url: `/api/v1/admin/packages/${await aPackage(t)}/disable`, body: { reason: 'matrix test' } }),
  },
  // console: own numbers (support reads, admin changes; checked on the app with a number pool, below)
  { method: 'GET', route: '/api/v1/admin/pool/gateways', access: ['support', 'admin'] },
  { method: 'GET', route: '/api/v1/admin/pool/numbers', access: ['support', 'admin'] },
  { method: 'GET', route: '/api/v1/admin/pool/messages', access: ['support', 'admin'] },
  {
    method: 'POST',
    route: '/api/v1/admin/pool/numbers',
    access: ['admin'],
    target: async () => ({
      url: '/api/v1/admin/pool/numbers',
      body: { gateway: 'matrix', number: nextPoolNumber(), reason: 'matrix test' },
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/pool/numbers/:number/remove',
    access: ['admin'],
    target: async (t) => ({
      url: `/api/v1/admin/pool/numbers/${encodeURIComponent(await aPoolNumber(t))}/remove`,
      body: { reason: 'matrix test' },
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/pool/numbers/:number/rent-rate',
    access: ['admin'],
    target: async (t) => ({
      url: `/api/v1/admin/pool/numbers/${encodeURIComponent(await aPoolNumber(t))}/rent-rate`,
      body: { perDay: '0.25', reason: 'matrix test' },
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/payments/:id/refund',
    access: ['admin'],
    target: async (t) => ({
      url: `/api/v1/admin/payments/${(await aPaidCheckout(t, await fresh(t))).paymentId}/refund`,
      body: { amount: 100, reason: 'matrix test' },
    }),
  },
];

let t: TestApp;
let actors: Actors;
let stripe: FakeStripe;
/** Every line the app logs, at every level. */
const logLines: string[] = [];

/** An order of `owner` (funded as needed), optionally moved to a state where the action is allowed. */
async function placeOrder(t: TestApp, owner: { accountId: string; bearer: string }, state?: 'received' | 'cancellable') {
  const { grantCredits } = await import('../src/modules/ledger/index.ts');
  await grantCredits(ctxOf(t, 'cli'), {
    accountId: owner.accountId,
    amount: 1000,
    reason: 'matrix',
    idempotencyKey: `matrix:${Math.random()}`,
  });
  const { row: order } = await createActivation(ctxOf(t), t.orders.activations, {
    accountId: owner.accountId,
    service: 'tg',
    country: 'ID',
  });
  if (state === 'received') {
    await receiveSms(ctxOf(t), t.orders.activations, {
      target: { activationId: order.id },
      text: 'Telegram code: 12345',
      source: 'sandbox',
    });
  }
  if (state === 'cancellable')
    await t.database.db.update(activations).set({ cancellableAt: t.clock.now() }).where(eq(activations.id, order.id));
  return order;
}
function anOrder(suffix: string, state?: 'received' | 'cancellable') {
  return async (t: TestApp, owner: { accountId: string; bearer: string }) => ({
    url: `/api/v1/activations/${(await placeOrder(t, owner, state)).id}${suffix}`,
  });
}
function funded(body: Record<string, unknown>) {
  return async (t: TestApp, owner: { accountId: string; bearer: string }) => {
    const { grantCredits } = await import('../src/modules/ledger/index.ts');
    await grantCredits(ctxOf(t, 'cli'), {
      accountId: owner.accountId,
      amount: 1000,
      reason: 'matrix',
      idempotencyKey: `matrix:${Math.random()}`,
    });
    return { url: '/api/v1/activations', body };
  };
}

/**
 * An endpoint of `owner`, made once per route (an account may have only 10): the calls before the
 * owner's own are all refused, so even DELETE finds it still there at the end.
 */
/** No open request of `type` for the account: a filing in the matrix must not meet its earlier one. */
async function noOpenRequest(t: TestApp, accountId: string, type: 'portability' | 'rectification') {
  const { listOwnRequests, withdrawRequest } = await import('../src/modules/privacy/index.ts');
  for (const row of await listOwnRequests(t.database.db, { accountId, limit: 100 }))
    if (row.type === type && (row.status === 'open' || row.status === 'in_progress')) await withdrawRequest(ctxOf(t), accountId, row.id);
}

/** A fresh open request of the owner's (withdrawing allows one move only). */
function aPrivacyRequest(suffix: string) {
  return async (t: TestApp, owner: { accountId: string }) => {
    const { fileRequest } = await import('../src/modules/privacy/index.ts');
    await noOpenRequest(t, owner.accountId, 'rectification');
    const request = await fileRequest(ctxOf(t), { accountId: owner.accountId, type: 'rectification', details: 'matrix' });
    return { url: `/api/v1/privacy/requests/${request.id}${suffix}` };
  };
}

/**
 * A conversation of `owner`, started once per route (an account may start only 10 a day): the calls
 * before the owner's own are all refused, so even closing finds it still open at the end.
 */
function aConversation(suffix: string, body?: unknown) {
  const made = new Map<string, string>();
  return async (t: TestApp, owner: { accountId: string }) => {
    let id = made.get(owner.accountId);
    if (!id) {
      const { startConversation } = await import('../src/modules/support/index.ts');
      id = (await startConversation(ctxOf(t), { accountId: owner.accountId, subject: 'Matrix', body: 'hello' })).conversation.id;
      made.set(owner.accountId, id);
    }
    return { url: `/api/v1/support/conversations/${id}${suffix}`, body };
  };
}

/** Routes over the number pool: checked on an app with one (below), where the sandbox does not sell. */
const isRentalRoute = (spec: RouteSpec) => spec.route.startsWith('/api/v1/rentals') || spec.route.startsWith('/api/v1/admin/pool/');

let poolNumbers = 0;
/** A number not yet in the pool (a range of its own). */
const nextPoolNumber = () => `+1415555${String(3000 + poolNumbers++).padStart(4, '0')}`;
/** A new number in the pool, on the rentals app's gateway. */
async function aPoolNumber(t: TestApp): Promise<string> {
  const { addPoolNumber } = await import('../src/modules/pool/index.ts');
  const number = nextPoolNumber();
  await addPoolNumber(ctxOf(t, 'cli'), { gateway: 'matrix', number });
  return number;
}

let rentableNumbers = 0;
/** One more pool number with a rental rate (on the rentals app's gateway), and `owner` funded to rent it. */
async function rentableNumberFor(t: TestApp, owner: { accountId: string }): Promise<void> {
  const { addPoolNumber, setRentalRate } = await import('../src/modules/pool/index.ts');
  const { grantCredits } = await import('../src/modules/ledger/index.ts');
  const ctx = ctxOf(t, 'cli');
  const number = `+1415555${String(100 + rentableNumbers++).padStart(4, '0')}`;
  await addPoolNumber(ctx, { gateway: 'matrix', number });
  await setRentalRate(ctx, number, '0.10');
  await grantCredits(ctx, { accountId: owner.accountId, amount: 100, reason: 'matrix', idempotencyKey: `matrix:${Math.random()}` });
}

/** A rental request that can be served (a number is added for it each time). */
function aRentalRequest() {
  return async (t: TestApp, owner: { accountId: string }) => {
    await rentableNumberFor(t, owner);
    return { url: '/api/v1/rentals', body: { country: 'US', days: 1 } };
  };
}

/** A new rental of `owner` each time (a cancelled one cannot be cancelled again). */
function aRental(suffix: string, body?: unknown) {
  return async (t: TestApp, owner: { accountId: string }) => {
    await rentableNumberFor(t, owner);
    const { createRental } = await import('../src/modules/rentals/index.ts');
    const { row } = await createRental(ctxOf(t), { accountId: owner.accountId, country: 'US', days: 1 });
    return { url: `/api/v1/rentals/${row.id}${suffix}`, body };
  };
}

/** A fresh customer's new conversation, for the staff routes. */
function aCustomersConversation(suffix: string, body?: unknown) {
  return async (t: TestApp) => {
    const { startConversation } = await import('../src/modules/support/index.ts');
    const accountId = (await fresh(t)).accountId;
    const { conversation } = await startConversation(ctxOf(t), { accountId, subject: 'Matrix', body: 'hello' });
    return { url: `/api/v1/admin/support/conversations/${conversation.id}${suffix}`, body };
  };
}

function anEndpoint(suffix: string) {
  const made = new Map<string, string>();
  return async (t: TestApp, owner: { accountId: string }) => {
    let id = made.get(owner.accountId);
    if (!id) {
      const { createWebhookEndpoint } = await import('../src/modules/webhooks/index.ts');
      id = (await createWebhookEndpoint(ctxOf(t), owner.accountId, { url: 'https://hooks.example.com/matrix' })).id;
      made.set(owner.accountId, id);
    }
    return { url: `/api/v1/webhook-endpoints/${id}${suffix}` };
  };
}

/** Providers the matrix added: removed after each check, so the sandbox goes on selling to the other routes. */
const matrixProviders = new Set<string>();
function matrixProviderName(): string {
  const name = `matrix-${Math.random().toString(36).slice(2, 10)}`;
  matrixProviders.add(name);
  return name;
}
/** A new upstream provider (never synced): its id. */
async function aProvider(t: TestApp): Promise<string> {
  const { addProvider } = await import('../src/modules/providers/index.ts');
  return (await addProvider(ctxOf(t, 'cli'), { kind: '5sim', name: matrixProviderName(), apiKey: 'matrix-key' })).provider.id;
}
afterEach(async () => {
  if (matrixProviders.size === 0) return;
  const { removeProvider } = await import('../src/modules/providers/index.ts');
  for (const name of matrixProviders) await removeProvider(ctxOf(t, 'cli'), name).catch(() => undefined);
  matrixProviders.clear();
  await t.orders.providers.reload('providers');
});

async function fresh(t: TestApp) {
  const { createActor } = await import('./support/actors.ts');
  return createActor(t);
}
/** A fresh customer with credits to take back. */
async function fundedCustomer(t: TestApp) {
  const customer = await fresh(t);
  const { grantCredits } = await import('../src/modules/ledger/index.ts');
  await grantCredits(ctxOf(t, 'cli'), {
    accountId: customer.accountId,
    amount: 100,
    reason: 'matrix',
    idempotencyKey: `matrix:${Math.random()}`,
  });
  return customer;
}
/** A fresh device account's bearer token: logout needs a session, upgrade a device account. */
async function deviceTokenOf(t: TestApp) {
  const { deviceSignIn } = await import('../src/modules/accounts/index.ts');
  const device = await deviceSignIn(ctxOf(t), t.policy, {
    ...newDeviceCredentials(),
    platform: 'android',
    osVersion: '15',
    model: 'Pixel 9',
    appVersion: '1.0.0',
    ageConfirmed: true,
    policyVersion: t.policy.version,
  });
  return { authorization: `Bearer ${device.token}` };
}
let packages = 0;
/** A package on sale (a plan with `interval`); its code. */
async function aPackage(t: TestApp, interval?: 'month'): Promise<string> {
  const { addPackage } = await import('../src/modules/payments/index.ts');
  const code = `matrix-${++packages}`;
  await addPackage(ctxOf(t, 'cli'), { code, credits: 100, priceMinor: 500, currency: 'USD', interval });
  return code;
}

/** A card checkout the owner started (against the fake Stripe). */
async function aCheckout(t: TestApp, owner: { bearer: string; accountId: string }, interval?: 'month'): Promise<{ paymentId: string }> {
  // The matrix opens many checkouts for one owner, past the 10 an account may leave unfinished: its earlier
  // pages expire first, as the webhook would say they did (`checkout.session.expired`).
  const { markPaymentFailed } = await import('../src/modules/payments/index.ts');
  const open = await t.database.db
    .select({ id: payments.id })
    .from(payments)
    .where(and(eq(payments.accountId, owner.accountId), eq(payments.status, 'created')));
  for (const { id } of open) await markPaymentFailed(ctxOf(t, 'stripe'), id, 'the payment page expired');
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/payments/checkout',
    headers: { authorization: owner.bearer },
    payload: { package: await aPackage(t, interval), method: 'card' },
  });
  if (response.statusCode !== 201) throw new Error(`checkout failed: ${response.body}`);
  return response.json();
}

/** A card checkout the owner paid (at the fake Stripe, its event delivered). */
async function aPaidCheckout(t: TestApp, owner: { bearer: string; accountId: string }): Promise<{ paymentId: string }> {
  const { paymentId } = await aCheckout(t, owner);
  const session = [...stripe.sessions.values()].find((candidate) => candidate.client_reference_id === paymentId);
  const { session: paid } = stripe.complete(session?.id as string);
  const { payload, headers } = stripeDelivery(stripe.event('checkout.session.completed', paid), STRIPE_WEBHOOK_SECRET, t.clock.now());
  await t.app.inject({ method: 'POST', url: '/webhooks/stripe', payload, headers });
  return { paymentId };
}

/** A card plan the owner subscribed to: checkout, paid at the fake Stripe, its event delivered. */
async function aSubscription(t: TestApp, owner: { bearer: string; accountId: string }): Promise<string> {
  const { paymentId } = await aCheckout(t, owner, 'month');
  const session = [...stripe.sessions.values()].find((candidate) => candidate.client_reference_id === paymentId);
  const { session: paid } = stripe.complete(session?.id as string);
  const { payload, headers } = stripeDelivery(stripe.event('checkout.session.completed', paid), STRIPE_WEBHOOK_SECRET, t.clock.now());
  await t.app.inject({ method: 'POST', url: '/webhooks/stripe', payload, headers });
  const list = await t.app.inject({ method: 'GET', url: '/api/v1/subscriptions', headers: { authorization: owner.bearer } });
  return list.json().subscriptions[0].id;
}

/** A sign-in name blocked for ten minutes: its reference, as the lockout list shows it. */
async function aLockout(t: TestApp): Promise<string> {
  const key = `login:matrix-${randomUUID()}`;
  const now = t.clock.now();
  await t.database.db.insert(authThrottles).values({
    key,
    failures: 10,
    windowStartedAt: now,
    blockedUntil: new Date(now.getTime() + 600_000),
    updatedAt: now,
  });
  return lockoutRef(key);
}

async function ownSession(t: TestApp, owner: { accountId: string }) {
  const { createSession } = await import('../src/modules/accounts/index.ts');
  const session = await createSession(ctxOf(t), { accountId: owner.accountId, kind: 'browser' });
  return { url: `/api/v1/sessions/${session.id}` };
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  stripe = await startFakeStripe();
  t = await createTestApp({
    env: {
      API_RATE_LIMIT: '0',
      ORDER_RATE_LIMIT: '0',
      MAX_ACTIVE_ACTIVATIONS: '1000',
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_WEBHOOK_SECRET,
      STRIPE_API_BASE: stripe.baseUrl,
    },
    log: createLogger({ level: 'trace', version: 'test', destination: sink }),
  });
  actors = await createActors(t);
});
afterAll(async () => {
  await t?.close();
  await stripe?.close();
});

describe('route matrix', () => {
  it('lists every documented /api/v1 route', async () => {
    const listed = ROUTES.map((r) => `${r.method} ${r.route}`).sort();
    expect(await documentedApiRoutes(t)).toEqual(listed);
  });

  for (const spec of ROUTES.filter((r) => !isRentalRoute(r))) {
    it(`${spec.method} ${spec.route} (${Array.isArray(spec.access) ? spec.access.join('/') : spec.access})`, async () => {
      await checkRouteMatrix(t, actors, spec);
    });
  }
});

/**
 * The rental routes rent the operator's own numbers: an app with a number pool, whose provider row
 * stops the sandbox from selling (ADR 13) — so an app of their own, the same checks.
 */
describe('route matrix of the rental and own-number routes (an app with a number pool)', () => {
  let rt: TestApp;
  let rentalActors: Actors;
  beforeAll(async () => {
    // Each check rents anew for its owner: no limit on active rentals here (active-limit.test.ts tests it).
    rt = await createTestApp({ env: { API_RATE_LIMIT: '0', SANDBOX: 'off', MAX_ACTIVE_RENTALS: '1000' } });
    rentalActors = await createActors(rt);
    const { addGateway } = await import('../src/modules/pool/index.ts');
    await addGateway(ctxOf(rt, 'cli'), { kind: 'android-sms-gateway', name: 'matrix' });
  });
  afterAll(() => rt?.close());

  for (const spec of ROUTES.filter(isRentalRoute)) {
    it(`${spec.method} ${spec.route} (${Array.isArray(spec.access) ? spec.access.join('/') : spec.access})`, async () => {
      await checkRouteMatrix(rt, rentalActors, spec);
    });
    if (spec.access === 'public') continue;
    it(`${spec.method} ${spec.route}: every text input refused with 400 naming the field`, async () => {
      const operation = (await documentedApiOperations(rt)).get(`${spec.method} ${spec.route}`);
      expect(operation, 'documented').toBeDefined();
      await checkUnstorableText(
        rt,
        rentalActors,
        spec,
        operation ?? {},
        (() => {
          let n = 0;
          return () => `RENTAL-MARKER-${++n}-`;
        })(),
      );
    });
  }
});

describe('text the database cannot store', () => {
  let counter = 0;
  const markers: string[] = [];
  const marker = () => {
    const value = `MARKER-${++counter}-`;
    markers.push(value);
    return value;
  };

  for (const spec of ROUTES.filter((r) => !r.streaming && !isRentalRoute(r))) {
    it(`${spec.method} ${spec.route}: every text input refused with 400 naming the field`, async () => {
      const operation = (await documentedApiOperations(t)).get(`${spec.method} ${spec.route}`);
      expect(operation, 'documented').toBeDefined();
      await checkUnstorableText(t, actors, spec, operation ?? {}, marker);
    });
  }

  it('covers the text inputs of the live event stream too, and never logs what was sent', async () => {
    const events = ROUTES.find((r) => r.route === '/api/v1/events');
    const operation = (await documentedApiOperations(t)).get('GET /api/v1/events');
    // Refused before the stream starts, so inject returns.
    expect(await checkUnstorableText(t, actors, { ...(events as RouteSpec), streaming: false }, operation ?? {}, marker)).toBe(2);

    expect(markers.length).toBeGreaterThan(60);
    const lines = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    // The completion line names the URL it answered (query values of sensitive names redacted): that is
    // the request as sent, not something the database repeated. Anything else must hold no marker.
    const written = lines.map(({ req: _req, ...rest }) => JSON.stringify(rest)).join('\n');
    for (const value of markers) expect(written, value).not.toContain(value);
    expect(lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });
});

/**
 * The 5sim-compatible API (src/http/compat/fivesim/): 5sim's answers, not our envelope, so a matrix
 * of its own. Without a valid API key: 401 with an empty body; a suspended account: 403; another
 * account's order: `order not found` (404 on check, 400 elsewhere), never a sign that it exists.
 */
const FIVESIM_ROUTES: { route: string; access: 'public' | 'signed-in'; owned?: 'check' | 'order' }[] = [
  { route: '/compat/5sim/v1/user/profile', access: 'signed-in' },
  { route: '/compat/5sim/v1/user/buy/activation/:country/:operator/:product', access: 'signed-in' },
  { route: '/compat/5sim/v1/user/check/:id', access: 'signed-in', owned: 'check' },
  { route: '/compat/5sim/v1/user/finish/:id', access: 'signed-in', owned: 'order' },
  { route: '/compat/5sim/v1/user/cancel/:id', access: 'signed-in', owned: 'order' },
  { route: '/compat/5sim/v1/user/ban/:id', access: 'signed-in', owned: 'order' },
  { route: '/compat/5sim/v1/user/reuse/:product/:number', access: 'signed-in' },
  { route: '/compat/5sim/v1/user/orders', access: 'signed-in' },
  { route: '/compat/5sim/v1/guest/prices', access: 'public' },
  { route: '/compat/5sim/v1/guest/products/:country/:operator', access: 'public' },
  { route: '/compat/5sim/v1/guest/countries', access: 'public' },
];

describe('route matrix of the 5sim-compatible API', () => {
  const urlOf = (route: string, id: string) =>
    route
      .replace(':country/:operator/:product', 'indonesia/any/telegram')
      .replace(':country/:operator', 'indonesia/any')
      .replace(':product/:number', 'telegram/6281234567890')
      .replace(':id', id)
      .concat(route.endsWith('/user/orders') ? '?category=activation' : '');

  it('lists every route under /compat/5sim', () => {
    const registered = t.app
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .flatMap((line) => /(compat\/5sim\/\S+) \(([^)]+)\)/.exec(line)?.[1] ?? [])
      .map((route) => `/${route}`)
      .sort();
    expect(registered).toEqual(FIVESIM_ROUTES.map((r) => r.route).sort());
  });

  for (const spec of FIVESIM_ROUTES) {
    it(`GET ${spec.route} (${spec.access})`, async () => {
      const owner = actors.customer;
      // Funds the owner (the buy) and places an order in the state its action needs.
      const state = spec.route.includes('/finish/') ? 'received' : /\/(cancel|ban)\//.test(spec.route) ? 'cancellable' : undefined;
      // 5sim's side names an order by its number (ADR 30), given on first sight: given here.
      const numberOf = async (id: string) => String((await numberOrders(t.database.db, [id], t.clock.now())).get(id));
      const url = urlOf(spec.route, spec.access === 'public' ? '' : await numberOf((await placeOrder(t, owner, state)).id));
      const send = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
      if (spec.access === 'public') {
        expect((await send({})).statusCode, url).toBe(200);
        return;
      }
      for (const headers of [{}, { authorization: 'Bearer otp_live_notARealKeyAtAllXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' }] as Record<
        string,
        string
      >[]) {
        const response = await send(headers);
        expect(`${response.statusCode} ${response.body}`, url).toBe('401 ');
      }
      const suspended = await send({ authorization: actors.suspended.customer.bearer });
      expect(`${suspended.statusCode} ${suspended.body}`).toBe('403 account is suspended');
      if (spec.owned) {
        const other = await send({ authorization: actors.otherCustomer.bearer });
        expect(`${other.statusCode} ${other.body}`).toBe(`${spec.owned === 'check' ? 404 : 400} order not found`);
      }
      const asOwner = await send({ authorization: owner.bearer });
      // reuse is refused by design (README: otpbox cannot promise a number twice).
      expect(`${asOwner.statusCode}`, `${url}: ${asOwner.body}`).toBe(spec.route.includes('/reuse/') ? '400' : '200');
    });
  }
});
