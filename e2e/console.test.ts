/// <reference lib="dom" />
// Journey (desktop, then a phone): the operator console at /admin. `otpbox admin create` prints the
// enrolment link → the enrol page shows the QR code and the key; the test's authenticator (otplib)
// reads the key and makes the code → ten recovery codes, once → staff sign-in: password, then the
// authenticator's code → Accounts: find the customer by e-mail, grant credits with a reason → the
// balance, the statement and "What staff did" show it, and the customer sees it under "Who accessed
// my data". On a phone the navigation opens from the menu button. No request leaves the origin.

import { generateSync } from 'otplib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runCli, tempDir } from '../test/support/spawn.ts';
import { audit, CLEAN_AUDIT } from './support/audit.ts';
import { launchChromium, openJourney, PHONE, type RunningServer, screenshot, startServer } from './support/harness.ts';

const ADMIN = { email: 'boss@example.com', password: 'a long admin passphrase 1' };
const CUSTOMER = { email: 'ann@example.com', password: 'correct horse battery staple 42' };

let server: RunningServer;
let browser: Browser;
let data: { path: string; remove(): Promise<void> };
let enrolmentLink: string;
let customerCookie: string;

beforeAll(async () => {
  [data, browser] = await Promise.all([tempDir('otpbox-e2e-console-'), launchChromium()]);
  const port = String(await freePort());
  server = await startServer({ PORT: port, PUBLIC_URL: `http://127.0.0.1:${port}` }, data.path);
  const created = await runCli(['admin', 'create', '--email', ADMIN.email], {
    DATA_DIR: data.path,
    LOG_LEVEL: 'warn',
    OTPBOX_PASSWORD: ADMIN.password,
  });
  expect(created.code, created.stderr).toBe(0);
  enrolmentLink = /(http\S+\/admin\/enrol#token=\S+)/.exec(created.stdout)?.[1] ?? '';
  expect(enrolmentLink, created.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin\/enrol#token=otp_enr_/);

  const policy = (await (await fetch(`${server.url}/api/v1/privacy/policy`)).json()) as { version: string };
  const signup = await fetch(`${server.url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...CUSTOMER, ageConfirmed: true, policyVersion: policy.version }),
  });
  expect(signup.status).toBe(201);
  customerCookie = (signup.headers.getSetCookie().find((cookie) => cookie.startsWith('otpbox_session=')) ?? '').split(';')[0] ?? '';
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await data?.remove();
});

describe('the operator console', () => {
  it('enrols from the link, signs in with TOTP, and grants credits with a reason the customer sees', async () => {
    const { page, guard } = await openJourney(browser, server);

    // Enrolment: the key from the page is what the authenticator app would read from the QR code.
    await page.goto(enrolmentLink);
    await page.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();
    await page.getByRole('img', { name: 'QR code of the two-factor secret' }).waitFor();
    const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(new URL(page.url()).hash).toBe('');
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await page.getByLabel('Code from the app').fill(generateSync({ secret }));
    await page.getByRole('button', { name: 'Confirm' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    expect(await codes.count()).toBe(10);
    await screenshot(page, 'console-recovery-codes');
    await page.getByRole('button', { name: 'I have saved them: sign in' }).click();

    // Sign-in: the password, then the authenticator's code (the next 30-second step: enrolment used this one).
    await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await page.getByLabel('E-mail address').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Two-factor code' }).waitFor();
    await page.getByLabel('Code').fill(generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`${ADMIN.email} (admin)`).waitFor();

    // Accounts: find the customer, grant credits with a reason.
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByLabel('E-mail, account id, order id or rented number').fill(CUSTOMER.email);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('cell', { name: CUSTOMER.email }).waitFor();
    await page.locator('table a[href^="/admin/accounts/acc_"]').click();
    await page.getByRole('heading', { level: 1, name: CUSTOMER.email }).waitFor();
    const grant = page.getByRole('form', { name: 'Grant credits' });
    await grant.getByLabel('Credits').fill('250');
    await grant.getByLabel('Reason (required, shown to the customer)').fill('goodwill after the outage');
    await grant.getByRole('button', { name: 'Grant credits' }).click();
    await grant.getByRole('status').getByText('Granted 250 credits.').waitFor();
    await page.getByTestId('balance').getByText('Available: 250').waitFor();
    await page
      .getByRole('region', { name: 'Statement' })
      .getByRole('cell', { name: 'Credits from the operator: goodwill after the outage' })
      .waitFor();
    await page
      .getByRole('region', { name: 'What staff did' })
      .getByRole('cell', { name: 'goodwill after the outage', exact: true })
      .waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'console-account-desktop');

    // The customer sees who did it and why.
    const log = (await (await fetch(`${server.url}/api/v1/privacy/access-log`, { headers: { cookie: customerCookie } })).json()) as {
      items: { what: string; role: string; reason: string | null }[];
    };
    expect(log.items).toContainEqual(
      expect.objectContaining({ what: 'action.credits_granted', role: 'admin', reason: 'goodwill after the outage' }),
    );

    // On a phone: the same session, the navigation behind the menu button.
    await page.setViewportSize(PHONE);
    const menu = page.getByRole('button', { name: 'Menu' });
    await expect(page.getByRole('navigation', { name: 'Console' }).isVisible()).resolves.toBe(false);
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'console-accounts-phone');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    expect(guard.foreign).toEqual([]);
  });
});
