/// <reference lib="dom" />
// Journey 5 (desktop): buy credits by card against the real server, with a fake Stripe API behind
// STRIPE_API_BASE → Top up → Stripe's page (stood in for in the browser) → back on the payment's page,
// which waits for the server: the redirect alone credits nothing → the signed webhook arrives → the
// page turns paid live, the balance shows the credits → payment history and statement. Then a second
// purchase the customer abandons: the cancel address says nothing was charged, and Stripe's
// `checkout.session.expired` turns it failed, live.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../test/fakes/stripe-server.ts';
import { freePort, runCli, tempDir } from '../test/support/spawn.ts';
import { stripeDelivery } from '../test/support/stripe-events.ts';
import { audit, CLEAN_AUDIT } from './support/audit.ts';
import { launchChromium, openJourney, type RunningServer, screenshot, startServer } from './support/harness.ts';

const WEBHOOK_SECRET = 'whsec_e2e_top_up_0123456789';

let stripe: FakeStripe;
let server: RunningServer;
let browser: Browser;
let data: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  [stripe, data, browser] = await Promise.all([startFakeStripe(), tempDir('otpbox-e2e-top-up-'), launchChromium()]);
  const port = String(await freePort());
  server = await startServer(
    {
      PORT: port,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_BASE: stripe.baseUrl,
    },
    data.path,
  );
  // The operator puts a pack on sale while the server runs, as the README says.
  const added = await runCli(['packages', 'add', '--code', 'starter', '--credits', '500', '--price', '500', '--currency', 'USD'], {
    DATA_DIR: data.path,
    LOG_LEVEL: 'warn',
  });
  expect(added.code, added.stderr).toBe(0);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await stripe?.close();
  await data?.remove();
});

/** Stripe tells the server, signed with the endpoint's secret. */
async function deliver(type: string, object: Record<string, unknown>): Promise<void> {
  const { payload, headers } = stripeDelivery(stripe.event(type, object), WEBHOOK_SECRET);
  const response = await fetch(`${server.url}/webhooks/stripe`, { method: 'POST', headers, body: payload });
  expect(response.status, await response.text()).toBe(200);
}

/** The Checkout Session the server opened last, as the fake Stripe holds it. */
function lastSession(): Record<string, unknown> & { id: string; url: string; success_url: string; cancel_url: string } {
  const session = [...stripe.sessions.values()].at(-1);
  if (!session) throw new Error('no Checkout Session was created');
  return session as ReturnType<typeof lastSession>;
}

describe('top up by card (desktop)', () => {
  it('credits only once the server hears from Stripe, and shows it live', async () => {
    const { context, page, guard } = await openJourney(browser, server, { serviceWorkers: 'block' });
    // Stripe's payment page, stood in for: the journey checks that the browser goes there, not what Stripe shows.
    await context.route('https://checkout.stripe.com/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><html lang="en"><title>Stripe Checkout</title><h1>Pay otpbox</h1></html>',
      }),
    );

    await page.goto('/start');
    await page.getByLabel('I am at least 18 years old').check();
    await page.getByLabel('I have read and accept the privacy policy').check();
    await page.getByRole('button', { name: 'Continue anonymously' }).click();
    await page.waitForURL('**/buy');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Top up' }).click();
    await page.getByRole('heading', { name: 'Top up', level: 1 }).waitFor();
    const pack = page.getByRole('radio', { name: /500 credits/ });
    expect(await pack.isChecked()).toBe(true);
    await expect(page.locator('label.choice').first().textContent()).resolves.toContain('$5.00');
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'top-up-desktop');

    await page.getByRole('button', { name: 'Pay $5.00 by card' }).click();
    await page.waitForURL(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_/);
    const session = lastSession();
    expect(page.url()).toBe(session.url);
    // What the server asked of Stripe: this pack, at its price, coming back to the payment's page.
    const created = stripe.requests.find((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions');
    expect(created?.body).toMatchObject({
      mode: 'payment',
      line_items: [{ price_data: { currency: 'usd', unit_amount: '500' }, quantity: '1' }],
    });
    expect(created?.headers['idempotency-key']).toBeTruthy();
    const paymentId = String(session.client_reference_id);
    expect(paymentId).toMatch(/^pay_/);
    expect(session.success_url).toBe(`${server.url}/payments/${paymentId}`);

    // The customer pays by bank debit on Stripe's page and is sent back: the page asks the server, which
    // reads the session back from Stripe (never the redirect): in progress. No webhook has arrived yet.
    stripe.complete(session.id, { paid: false });
    await page.goto(session.success_url);
    await page.getByText('Your bank is still processing this payment. Credits are added as soon as it completes.').waitFor();
    await page.locator('[data-live="open"]').waitFor();
    await page.evaluate(() => {
      (window as unknown as { journeyMarker: string }).journeyMarker = 'no reload';
    });
    await expect(page.getByRole('link', { name: '0 credits, your balance', exact: true }).isVisible()).resolves.toBe(true);
    await expect(page.locator('.payment__details').textContent()).resolves.toContain('In progress');
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'payment-waiting-desktop');

    // The debit clears: Stripe says so by webhook, and the page shows it live.
    await deliver('checkout.session.async_payment_succeeded', stripe.asyncSucceeded(session.id));
    await page.locator('main').getByText('Paid: 500 credits were added to your balance.').waitFor();
    // Read out to screen readers too, the focus being wherever it is.
    await page
      .locator('.visually-hidden[aria-live="polite"]')
      .getByText('Paid: 500 credits were added to your balance.')
      .waitFor({ state: 'attached' });
    await page.getByRole('link', { name: '500 credits, your balance', exact: true }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { journeyMarker?: string }).journeyMarker)).toBe('no reload');
    await expect(page.locator('.payment__details').textContent()).resolves.toContain(paymentId);
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'payment-paid-desktop');

    // Stripe says it again, in another event about the same session: still one payment's credits, after a reload too.
    await deliver('checkout.session.completed', session);
    await page.reload();
    await page.locator('main').getByText('Paid: 500 credits were added to your balance.').waitFor();
    await expect(page.getByRole('link', { name: '500 credits, your balance', exact: true }).isVisible()).resolves.toBe(true);

    await page.getByRole('link', { name: 'All payments' }).click();
    await page.getByRole('heading', { name: 'Payment history' }).waitFor();
    const row = page.locator('tbody tr').first();
    await expect(row.textContent()).resolves.toContain('500 credits');
    await expect(row.textContent()).resolves.toContain('$5.00');
    await expect(row.textContent()).resolves.toContain('Card');
    await expect(row.getByText('Paid').isVisible()).resolves.toBe(true);
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'payments-desktop');

    // A second purchase, abandoned on Stripe's page: nothing charged, and failed once Stripe says it expired.
    await page.getByRole('link', { name: 'Top up' }).first().click();
    await page.getByRole('button', { name: 'Pay $5.00 by card' }).click();
    await page.waitForURL(/^https:\/\/checkout\.stripe\.com\//);
    const abandoned = lastSession();
    expect(abandoned.id).not.toBe(session.id);
    await page.goto(abandoned.cancel_url);
    await page.getByText('You left the payment page before paying. Nothing was charged.').waitFor();
    await page.locator('[data-live="open"]').waitFor();
    await deliver('checkout.session.expired', stripe.expire(abandoned.id));
    await page.getByText('This payment did not go through: the payment page expired. Nothing was charged.').waitFor();
    await page.getByRole('link', { name: '500 credits, your balance', exact: true }).waitFor();

    // Nothing left the origin but the way to Stripe's page.
    expect(guard.foreign.length).toBeGreaterThan(0);
    expect(guard.foreign.filter((url) => !url.startsWith('https://checkout.stripe.com/'))).toEqual([]);
    await context.close();
  });
});
