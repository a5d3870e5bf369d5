/// <reference lib="dom" />
// Journey 2 (a 390×844 phone): continue anonymously, by keyboard → demo credits → buy a Telegram
// number → Cancel is refused in words during the early window, then cancels and the credits come
// back → several orders at once, a code delivered through the sandbox control → dark theme → the PWA.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, CLEAN_AUDIT } from './support/audit.ts';
import { launchChromium, openJourney, PHONE, type RunningServer, screenshot, startServer } from './support/harness.ts';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  // The sandbox's own SMS would come after 10 minutes: this journey decides when a code arrives.
  [server, browser] = await Promise.all([startServer({ SANDBOX_SMS_DELAY_MS: '600000', CANCEL_MIN_S: '8' }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('continue anonymously on a phone', () => {
  it('buys, is told why Cancel waits, cancels after the window and gets the credits back', async () => {
    const { context, page, guard } = await openJourney(browser, server, { viewport: PHONE, isMobile: true, hasTouch: true });
    const iconUrls = new Set<string>();
    page.on('request', (request) => {
      if (/\/api\/v1\/services\/.*icon/.test(request.url())) iconUrls.add(request.url());
    });

    await page.goto('/');
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'landing-phone');
    await page.getByRole('link', { name: 'Continue anonymously' }).click();

    // The whole form by keyboard, in reading order: the two boxes, the policy link, the button. No e-mail field.
    await page.getByRole('heading', { name: 'Continue anonymously' }).waitFor();
    expect(await page.getByLabel('Email').count()).toBe(0);
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await page.getByLabel('I am at least 18 years old').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('policy');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Read the privacy policy');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Continue anonymously');
    await page.keyboard.press('Enter');

    await page.waitForURL('**/buy');
    const deviceId = await page.evaluate(() => localStorage.getItem('otpbox.deviceId'));
    expect(deviceId).toMatch(/^web-[0-9a-f]{32}$/);
    // The secret that proves this browser holds the account, made beside the id (contract v2).
    expect(await page.evaluate(() => localStorage.getItem('otpbox.deviceSecret'))).toMatch(/^[0-9a-f]{64}$/);
    await page.getByRole('button', { name: 'Add 500 demo credits' }).click();
    await page.getByRole('link', { name: '500 demo credits, your balance', exact: true }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'buy-phone');
    // The grid's 45 brand icons come in one response, the sprite the services list names.
    expect(await page.locator('.service-grid .service-icon use').count()).toBeGreaterThan(40);
    expect([...iconUrls]).toEqual([expect.stringMatching(/\/api\/v1\/services\/icons\/[0-9a-f]{16}\.svg$/)]);

    // Search, then the keyboard takes the first match.
    await page.getByLabel('Search services').fill('telegram');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Telegram');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Telegram number' }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'countries-phone');
    await page.getByRole('link', { name: /^Indonesia/ }).click();
    await page.getByRole('heading', { name: 'Confirm your order' }).waitFor();
    const price = Number((await page.locator('.summary__price dd').textContent())?.replace(/\D/g, ''));
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'confirm-phone');
    await page.getByRole('button', { name: 'Buy number' }).click();

    const first = page.locator('article.order').first();
    const cancel = first.getByRole('button', { name: /^Cancel/ });
    await first.getByText(/^\+62 /).waitFor();
    // The order just bought has the keyboard focus, so a screen reader starts there.
    expect(await page.evaluate(() => document.activeElement?.closest('article')?.className)).toContain('order');
    expect(await cancel.textContent()).toMatch(/^Cancel \(in 0:0[1-8]\)$/);
    expect(await cancel.isDisabled()).toBe(true);
    const hint = await page.locator(`#${await cancel.getAttribute('aria-describedby')}`).textContent();
    expect(hint).toContain(
      'A number must be kept for 8 seconds before it can be cancelled, because providers refuse earlier cancellations.',
    );
    await page.getByRole('link', { name: `${500 - price} demo credits, your balance`, exact: true }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'order-waiting-phone');

    await first.getByRole('button', { name: 'Cancel', exact: true }).click({ timeout: 12_000 });
    await first.getByText('Cancelled. Your credits were returned.').waitFor();
    await page.getByRole('link', { name: '500 demo credits, your balance', exact: true }).waitFor();

    // Several orders at once, each live on its own.
    // The first again through the "Recent" shortcut, the second through the lists.
    await page.getByRole('link', { name: 'Buy', exact: true }).click();
    await page.getByRole('link', { name: 'Telegram in Indonesia' }).click();
    await page.getByRole('button', { name: 'Buy number' }).click();
    await page.waitForURL(/\/orders\?order=/);
    await page.getByRole('link', { name: 'Buy', exact: true }).click();
    await page
      .locator('.service-grid')
      .getByRole('link', { name: /^Telegram/ })
      .click();
    await page.getByRole('link', { name: /^India\b/ }).click();
    await page.getByRole('button', { name: 'Buy number' }).click();
    await page.waitForURL(/\/orders\?order=/);
    const open = page.locator('article.order:not(.order--cancelled)');
    await expect(open.count()).resolves.toBe(2);
    await expect(page.getByRole('link', { name: 'Orders (2 active orders)' }).count()).resolves.toBe(1);

    // The sandbox control delivers a message to the newest order; its code shows up live.
    const newest = open.first();
    await newest.getByText('Simulate an SMS (sandbox)').click();
    await newest.getByLabel('Text of the SMS').fill('Telegram code: 62841');
    await newest.getByRole('button', { name: 'Deliver this SMS' }).click();
    await newest.getByTestId('code').waitFor({ timeout: 10_000 });
    expect(await newest.getByTestId('code').textContent()).toBe('62841');
    await expect(open.nth(1).getByText('Waiting for the SMS…').isVisible()).resolves.toBe(true);
    await newest.getByRole('heading').scrollIntoViewIfNeeded();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'order-code-phone');

    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'order-code-phone-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // The smallest phones in use: nothing scrolls sideways, nothing is cut.
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await page.setViewportSize(PHONE);

    await newest.getByRole('button', { name: 'Finish' }).click();
    await newest.getByText(/^Finished\. You paid \d+ credits\.$/).waitFor();

    await page.getByRole('link', { name: 'History' }).click();
    await page.locator('tbody tr').nth(2).waitFor();
    expect(await page.locator('tbody tr').first().textContent()).toContain('62841');
    expect(await page.locator('tbody').textContent()).toContain('Cancelled');
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'history-phone');

    await page.getByRole('link', { name: 'Balance', exact: true }).click();
    await page.getByRole('heading', { name: 'Statement' }).waitFor();
    expect(await page.locator('tbody').textContent()).toContain('cancelled: credits returned');
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'statement-phone');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await page.emulateMedia({ colorScheme: 'light' });

    // The anonymous account: no e-mail, and the offer to add one.
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Anonymous account' }).waitFor();
    await page.getByRole('heading', { name: 'Add an e-mail address' }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);

    // Installable: a manifest, and a service worker that keeps the static shell and nothing from /api.
    const manifest = (await (await context.request.get('/manifest.webmanifest')).json()) as { icons: { src: string }[]; display: string };
    expect(manifest.display).toBe('standalone');
    for (const icon of manifest.icons) expect((await context.request.get(icon.src)).status(), icon.src).toBe(200);
    const cached = await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      }
      return urls;
    });
    expect(cached).toContain('/');
    expect(cached.some((url) => url.startsWith('/assets/'))).toBe(true);
    expect(cached.filter((url) => url.startsWith('/api/'))).toEqual([]);

    expect(guard.foreign).toEqual([]);
    await context.close();
  });
});
