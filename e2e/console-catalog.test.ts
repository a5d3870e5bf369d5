/// <reference lib="dom" />
// Console journey (desktop): an admin created with the CLI and enrolled as the enrolment link does
// (the secret read, the first code confirmed) signs in through the console's sign-in page with a
// code computed by otplib, opens Catalog, and stops selling a country with a reason. The change is
// live at once: the country leaves the customers' list, and an order for it is refused.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/support/spawn.ts';
import { audit, CLEAN_AUDIT } from './support/audit.ts';
import { type ConsoleStaff, enrolledStaff, signInToConsole } from './support/console.ts';
import { DESKTOP, launchChromium, openJourney, PHONE, type RunningServer, screenshot, startServer } from './support/harness.ts';

let server: RunningServer;
let browser: Browser;
let data: { path: string; remove(): Promise<void> };
let admin: ConsoleStaff;

const api = async (path: string, init: RequestInit = {}) => fetch(`${server.url}/api/v1${path}`, init);

beforeAll(async () => {
  [data, browser] = await Promise.all([tempDir('otpbox-e2e-console-'), launchChromium()]);
  server = await startServer({}, data.path);
  admin = await enrolledStaff(server, data.path, {
    email: 'console-admin@example.com',
    password: 'a long console passphrase 7',
    role: 'admin',
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await data?.remove();
});

const countryCodes = async () =>
  ((await (await api('/countries?service=tg')).json()) as { countries: { code: string }[] }).countries.map((c) => c.code);

describe('console: disable a country in the catalog (desktop)', () => {
  it('signs in with password and TOTP, disables a country with a reason, and customers can no longer buy there', async () => {
    expect(await countryCodes()).toContain('ID');
    const { page, guard } = await openJourney(browser, server, { serviceWorkers: 'block' });

    await page.goto('/admin');
    await signInToConsole(page, admin);

    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Catalog' }).click();
    await page.waitForURL('**/admin/catalog');
    await page.getByText(/No rules/).waitFor();

    // The price preview first: Telegram in Indonesia is sold, one offer wins.
    const preview = page.getByRole('form', { name: 'Price preview' });
    await preview.getByLabel('Service code').fill('tg');
    await preview.getByLabel('Country code').fill('ID');
    await preview.getByRole('button', { name: 'Show prices' }).click();
    const prices = page.getByRole('table', { name: 'Prices for Telegram in Indonesia' });
    await expect.poll(async () => prices.getByText('Wins').count()).toBe(1);

    const change = page.getByRole('form', { name: 'Change a rule' });
    await change.getByLabel('Country code').fill('ID');
    await change.getByLabel('Change').selectOption('disable');
    await change.getByLabel('Reason').fill('fraud wave from this country');
    await change.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(async () => page.getByRole('status').textContent()).toBe('Indonesia: not sold. Live on every instance now.');
    await page
      .getByRole('table', { name: 'Rules' })
      .getByRole('row', { name: /Indonesia/ })
      .waitFor();
    await screenshot(page, 'console-catalog-desktop');

    // Live: the country leaves the customers' list, and the preview says it is not sold.
    await expect.poll(countryCodes, { timeout: 10_000 }).not.toContain('ID');
    await preview.getByRole('button', { name: 'Show prices' }).click();
    await page.getByText('Not sold: a rule disables it.').waitFor();

    // A customer's order for it is refused.
    const device = await api('/auth/device', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        deviceId: crypto.randomUUID(),
        deviceSecret: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'),
        platform: 'android',
        osVersion: '15',
        model: 'Pixel 9',
        appVersion: '1.0.0',
        ageConfirmed: true,
        policyVersion: ((await (await api('/privacy/policy')).json()) as { version: string }).version,
      }),
    });
    expect(device.status, await device.clone().text()).toBeLessThan(300);
    const { token } = (await device.json()) as { token: string };
    const order = await api('/activations', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ service: 'tg', country: 'ID' }),
    });
    const refused = (await order.json()) as { error: { code: string; message: string } };
    expect(refused.error.code, refused.error.message).toBe('NO_NUMBERS');
    expect(refused.error.message).toContain('not sold here');

    // The four pages pass the accessibility checks on a desktop and on a phone (tables as cards there).
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      for (const path of ['/admin/providers', '/admin/catalog', '/admin/payments', '/admin/privacy']) {
        await page.goto(path);
        expect({ path, viewport, ...(await audit(page)) }).toEqual({ path, viewport, ...CLEAN_AUDIT });
      }
    }
    await page.goto('/admin/catalog');
    await screenshot(page, 'console-catalog-phone');
    expect(guard.foreign).toEqual([]);
  });
});
