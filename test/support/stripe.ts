import type { LightMyRequestResponse } from 'fastify';
import type { PackageInterval } from '../../src/db/schema/index.ts';
import { addPackage } from '../../src/modules/payments/index.ts';
import { type FakeStripe, startFakeStripe } from '../fakes/stripe-server.ts';
import { type Actor, ctxOf } from './actors.ts';
import { createTestApp, type TestApp } from './app.ts';
import type { TestDatabase } from './database.ts';
import { stripeDelivery } from './stripe-events.ts';

export const STRIPE_WEBHOOK_SECRET = 'whsec_test_otpbox_0123456789';

export interface StripeTestApp {
  t: TestApp;
  fake: FakeStripe;
  /** POST a signed event to /webhooks/stripe, as Stripe would. */
  deliver(event: object): Promise<LightMyRequestResponse>;
  /** A package on sale (300 credits for 10.00 USD unless told otherwise); returns its code. */
  sell(input?: { credits?: number; priceMinor?: number; currency?: string; interval?: PackageInterval }): Promise<string>;
  /** POST /api/v1/payments/checkout for a card payment. */
  checkout(actor: Actor, pkg: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

let packages = 0;

/** The test app with Stripe configured, pointed at a fake Stripe API on 127.0.0.1. */
export async function createStripeTestApp(options: { database?: TestDatabase; env?: Record<string, string> } = {}): Promise<StripeTestApp> {
  const fake = await startFakeStripe();
  const t = await createTestApp({
    database: options.database,
    env: { STRIPE_SECRET_KEY: fake.secretKey, STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE: fake.baseUrl, ...options.env },
  });
  return {
    t,
    fake,
    deliver: (event) => {
      const { payload, headers } = stripeDelivery(event, STRIPE_WEBHOOK_SECRET, t.clock.now());
      return t.app.inject({ method: 'POST', url: '/webhooks/stripe', payload, headers });
    },
    sell: async (input = {}) => {
      const code = `pack-${++packages}`;
      await addPackage(ctxOf(t, 'cli'), {
        code,
        credits: input.credits ?? 300,
        priceMinor: input.priceMinor ?? 1000,
        currency: input.currency ?? 'USD',
        interval: input.interval,
      });
      return code;
    },
    checkout: (actor, pkg, headers = {}) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/payments/checkout',
        headers: { authorization: actor.bearer, ...headers },
        payload: { package: pkg, method: 'card' },
      }),
    close: async () => {
      await t.close();
      await fake.close();
    },
  };
}
