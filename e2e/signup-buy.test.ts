/// <reference lib="dom" />
// Journey 1 (desktop): sign up → demo credits → buy a Telegram number on the sandbox → the code appears
// live, without a reload and without reading the order again → finish → history and statement.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, CLEAN_AUDIT } from './support/audit.ts';
import { launchChromium, openJourney, type RunningServer, screenshot, startServer } from './support/harness.ts';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ SANDBOX_SMS_DELAY_MS: '1500' }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('sign up and buy a Telegram number (desktop)', () => {
  it('shows the code the instant the SMS arrives, then finishes the order', async () => {
    const { context, page, guard } = await openJourney(browser, server, { serviceWorkers: 'block' });

    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Virtual numbers for SMS verification');
    await expect(page.getByText('Rent a temporary phone number for Telegram').isVisible()).resolves.toBe(true);
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'landing-desktop');

    await page.getByRole('link', { name: 'Sign up' }).first().click();
    await page.getByLabel('Email').fill('journey@example.com');
    await page.getByLabel('Password', { exact: true }).fill('a long passphrase for the journey');
    // Refused until both confirmations are given, with the reason next to each box.
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByText('Confirm that you are at least 18 years old.').isVisible()).resolves.toBe(true);
    await expect(page.getByText('Accept the privacy policy to continue.').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: /Read the privacy policy/ }).getAttribute('href')).resolves.toBe('/privacy');
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await page.getByLabel('I am at least 18 years old').check();
    await page.getByLabel('I have read and accept the privacy policy').check();
    await page.getByRole('button', { name: 'Sign up' }).click();

    await page.waitForURL('**/buy');
    await expect(page.getByRole('link', { name: '0 credits, your balance', exact: true }).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Add 500 demo credits' }).click();
    await page.getByRole('link', { name: '500 demo credits, your balance', exact: true }).waitFor();

    await page.getByLabel('Search services').fill('tele');
    await expect(page.getByRole('link', { name: /WhatsApp/ }).count()).resolves.toBe(0);
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await page.getByLabel('Search services').fill('');
    await screenshot(page, 'buy-desktop');
    await page.getByRole('link', { name: /^Telegram/ }).click();

    // Countries with stock come cheapest first.
    await page.getByRole('heading', { name: 'Telegram number' }).waitFor();
    const prices = (await page.locator('.country-list:not(.country-list--out) .country-row__price').allTextContents()).map((text) =>
      Number(text.replace(/\D/g, '')),
    );
    expect(prices.length).toBeGreaterThan(10);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    // Flags are SVG files from our own origin, cached for a year (emoji flags are two letters in boxes on Windows and Linux).
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLImageElement>('.country-list img.flag'))
        .slice(0, 3)
        .every((img) => img.complete && img.naturalWidth > 0),
    );
    const flag = await page
      .locator('.country-list img.flag')
      .first()
      .evaluate((img) => (img as HTMLImageElement).currentSrc);
    expect(flag).toMatch(new RegExp(`^${server.url}/assets/flags-[0-9a-f]{10}/[A-Z]{2}\\.svg$`));
    const served = await context.request.get(flag);
    expect(served.headers()['content-type']).toBe('image/svg+xml');
    expect(served.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(await page.locator('.country-list .flag--code').count()).toBe(0);
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'countries-desktop');
    await page.getByRole('link', { name: /^Indonesia/ }).click();

    // The price, confirmed before buying.
    await page.getByRole('heading', { name: 'Confirm your order' }).waitFor();
    const price = Number((await page.locator('.summary__price dd').textContent())?.replace(/\D/g, ''));
    expect(price).toBeGreaterThan(0);
    expect(await audit(page)).toEqual(CLEAN_AUDIT);

    // From here on the order is never read again by the page: the code can only come from the live stream.
    const orderReads: string[] = [];
    await context.route(/\/api\/v1\/activations\/act_[^/]+$/, (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      orderReads.push(route.request().url());
      return route.abort();
    });
    await page.getByRole('button', { name: 'Buy number' }).click();
    await page.waitForURL(/\/orders\?order=act_/);
    await page.evaluate(() => {
      (window as unknown as { journeyMarker: string }).journeyMarker = 'no reload';
    });
    const card = page.locator('article.order').first();
    await card.getByText('Waiting for the SMS…').waitFor();
    // The number, in its country's international format.
    await card.getByText(/^\+62 \d+ \d+/).waitFor();
    await card.getByRole('button', { name: 'Copy number' }).waitFor();
    await card.getByText(/Expires in \d+:\d\d/).waitFor();

    const code = card.getByTestId('code');
    await code.waitFor({ timeout: 10_000 });
    expect(await code.textContent()).toMatch(/^\d{5}$/);
    expect(await page.evaluate(() => (window as unknown as { journeyMarker?: string }).journeyMarker)).toBe('no reload');
    await expect(page.locator('[data-live="open"]').isVisible()).resolves.toBe(true);
    await expect(card.getByRole('button', { name: 'Copy code' }).isVisible()).resolves.toBe(true);

    // The code on screen is the order's code, as the API has it.
    const orderId = new URL(page.url()).searchParams.get('order');
    await context.unroute(/\/api\/v1\/activations\/act_[^/]+$/);
    const stored = (await (await context.request.get(`/api/v1/activations/${orderId}`)).json()) as {
      sms: { code: string }[];
      price: number;
    };
    expect(await code.textContent()).toBe(stored.sms[0]?.code);
    expect(stored.price).toBe(price);
    expect(orderReads.length).toBeGreaterThan(0);
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'order-code-desktop');

    await card.getByRole('button', { name: 'Finish' }).click();
    await card.getByText(`Finished. You paid ${price} credits.`).waitFor();
    await page.getByRole('link', { name: `${500 - price} demo credits, your balance`, exact: true }).waitFor();

    await page.getByRole('link', { name: 'History' }).click();
    const row = page.locator('tbody tr').first();
    await expect(row.textContent()).resolves.toContain('Telegram');
    await expect(row.textContent()).resolves.toContain(stored.sms[0]?.code ?? 'missing');
    await expect(row.getByText('Finished').isVisible()).resolves.toBe(true);
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'history-desktop');

    await page.getByRole('link', { name: 'Balance', exact: true }).click();
    await page.getByRole('heading', { name: 'Statement' }).waitFor();
    const statement = await page.locator('tbody').textContent();
    expect(statement).toContain('Demo credits added (sandbox numbers only)');
    expect(statement).toContain('code received');
    expect(statement).toContain('reserved');
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'statement-desktop');

    // The account: sessions and devices, security events, this browser's settings.
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'E-mail account' }).waitFor();
    await page.getByText('This browser').waitFor();
    await page.getByText('Account created').waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'account-desktop');

    // Power users: an API key, shown once, that works as a bearer token; then revoked.
    await page.getByRole('link', { name: 'API keys and webhooks for scripts and integrations' }).click();
    await page.getByLabel('Name of the new key').fill('journey script');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.locator('.secret').textContent()) ?? '';
    expect(key).toMatch(/^otp_live_/);
    const me = await context.request.get('/api/v1/me', { headers: { authorization: `Bearer ${key}` } });
    expect(((await me.json()) as { email: string }).email).toBe('journey@example.com');
    await page.getByRole('button', { name: 'Revoke journey script' }).click();
    await page.getByRole('button', { name: 'Revoke journey script' }).click();
    await page.getByText('No API keys.').waitFor();
    expect((await context.request.get('/api/v1/me', { headers: { authorization: `Bearer ${key}` } })).status()).toBe(401);

    // A webhook endpoint: its signing secret is shown once; removed again before any event is sent to it.
    const webhooks = page.getByRole('region', { name: 'Webhook endpoints' });
    await webhooks.getByLabel('Endpoint URL').fill('https://hooks.example.invalid/otpbox');
    await webhooks.getByRole('button', { name: 'Add endpoint' }).click();
    expect(await webhooks.locator('.secret').textContent()).toMatch(/^whsec_/);
    await webhooks.getByText(/^all events · added/).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'developers-desktop');
    await webhooks.getByRole('button', { name: 'Remove https://hooks.example.invalid/otpbox' }).click();
    await webhooks.getByRole('button', { name: 'Remove https://hooks.example.invalid/otpbox' }).click();
    await webhooks.getByText('No webhook endpoints.').waitFor();

    // The privacy centre: the policy in force, its date, and where data requests go.
    await page.getByRole('link', { name: 'Privacy', exact: true }).click();
    await page.getByRole('heading', { name: 'Privacy centre' }).waitFor();
    await page.getByText(/^Last updated /).waitFor();
    await page.getByRole('heading', { name: 'What we keep, why, and for how long' }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'privacy-desktop');

    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Virtual numbers for SMS verification' }).waitFor();
    expect((await context.request.get('/api/v1/me')).status()).toBe(401);

    expect(guard.foreign).toEqual([]);
    await context.close();
  });
});
