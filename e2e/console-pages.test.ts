// The operator console's overview, jobs, support and security pages in a real browser: a staff admin
// created with the CLI enrols its second factor and signs in; the overview draws its charts (uPlot, a
// chunk of its own) and follows a change live without a reload; every page passes the accessibility
// audit on a desktop and a phone.

import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/support/spawn.ts';
import { audit, CLEAN_AUDIT } from './support/audit.ts';
import { createStaffWithCli, signInToConsole, totpOf } from './support/console.ts';
import { launchChromium, openJourney, PHONE, type RunningServer, screenshot, startServer } from './support/harness.ts';

const EMAIL = 'console-admin@example.com';
const PASSWORD = 'a long console passphrase 42';

let data: { path: string; remove(): Promise<void> };
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  data = await tempDir('otpbox-e2e-console-');
  [server, browser] = await Promise.all([startServer({}, data.path), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await data?.remove();
});

/** Create the admin with the CLI, enrol its authenticator through the link, and sign in as the console does. */
async function signInAsNewAdmin(page: Page): Promise<void> {
  const staff = { email: EMAIL, password: PASSWORD, role: 'admin' } as const;
  const { stdout } = await createStaffWithCli(data.path, staff);
  const link = new URL(/(https?:\/\/\S+#token=\S+)/.exec(stdout)?.[1] ?? '');
  await page.goto(`${link.pathname}${link.hash}`);
  const totp = totpOf((await page.getByTestId('totp-secret').textContent()) ?? '');
  await page.getByLabel('Code from the app').fill(totp());
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('button', { name: 'I have saved them: sign in' }).click();
  await signInToConsole(page, { ...staff, totp });
}

describe('console pages', () => {
  it('overview draws its charts and follows changes live; jobs, support and security pass the audit', async () => {
    const { page, guard } = await openJourney(browser, server, { serviceWorkers: 'block' });
    await signInAsNewAdmin(page);

    const nav = page.getByRole('navigation', { name: 'Console' });
    await nav.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.getByText('Live: updates as the figures change').waitFor();
    // uPlot drew (a canvas per chart), loaded as its own chunk after the page.
    await page.locator('.chart canvas').nth(2).waitFor();
    expect(guard.requests.some((request) => /TimeChart-[\w-]+\.js$/.test(request.url))).toBe(true);
    const accounts = page.getByText(/^In this period: \d+ e-mail accounts and \d+ device accounts\.$/);
    const before = await accounts.textContent();
    const devices = Number(/and (\d+) device/.exec(before ?? '')?.[1]);

    // A new device account somewhere: the figures change on the open page, without a reload.
    const policy = (await (await fetch(`${server.url}/api/v1/privacy/policy`)).json()) as { version: string };
    const signUp = await fetch(`${server.url}/api/v1/auth/device`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        deviceId: randomUUID(),
        deviceSecret: randomBytes(32).toString('base64url'),
        platform: 'android',
        osVersion: '15',
        model: 'Pixel 9',
        appVersion: '1.0.0',
        ageConfirmed: true,
        policyVersion: policy.version,
      }),
    });
    expect(signUp.status, await signUp.text()).toBeLessThan(300);
    await page.getByText(new RegExp(`and ${devices + 1} device accounts\\.$`)).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'console-overview-desktop');

    await page.getByRole('button', { name: '90 days' }).click();
    await page.getByRole('heading', { name: 'Orders by outcome, per day' }).waitFor();

    await nav.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { level: 1, name: 'Background jobs' }).waitFor();
    await page.getByRole('region', { name: 'retention' }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);

    await nav.getByRole('link', { name: 'Support' }).click();
    await page.getByRole('heading', { level: 1, name: 'Support' }).waitFor();
    await page.getByText('No conversation here.').waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);

    await nav.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('heading', { level: 1, name: 'Security' }).waitFor();
    await page.getByRole('table', { name: 'Security events' }).waitFor();
    expect(await page.getByRole('table', { name: 'Security events' }).textContent()).toContain('two factor enrolled');
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await page.getByRole('link', { name: 'Staff audit log' }).click();
    await page.getByRole('heading', { name: 'Staff audit log' }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    expect(guard.foreign).toEqual([]);

    // A phone: the same pages, tables as cards, nothing scrolling sideways.
    await page.setViewportSize(PHONE);
    await page.goto('/admin/overview');
    await page.locator('.chart canvas').first().waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'console-overview-phone');
    await page.goto('/admin/jobs');
    await page.getByRole('region', { name: 'retention' }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await page.goto('/admin/security');
    await page.getByRole('table', { name: 'Security events' }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
  });
});
