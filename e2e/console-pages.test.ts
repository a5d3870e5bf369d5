// The operator console's overview, jobs, support, security, packages and staff pages in a real browser:
// a staff admin created with the CLI enrols its second factor and signs in; the overview draws its charts
// (uPlot, a chunk of its own) and follows a change live without a reload; the admin puts a package on sale
// and creates a support member, whose enrolment link is shown once and opens the enrolment page; puts one
// of its own numbers in the pool on a gateway the CLI connected; every page passes the accessibility
// audit on a desktop and a phone.

import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../test/support/spawn.ts';
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
  it('overview draws its charts and follows changes live; a package and a staff member are added; every page passes the audit', async () => {
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

    // Packages: a new pack on sale, with a reason; customers' list shows it at once.
    await nav.getByRole('link', { name: 'Packages' }).click();
    await page.getByRole('heading', { level: 1, name: 'Packages' }).waitFor();
    await page.getByRole('button', { name: 'Add a package…' }).click();
    const addPackage = page.getByRole('form', { name: 'Add a package' });
    await addPackage.getByLabel('Code').fill('e2e-pack-500');
    await addPackage.getByLabel('Credits').fill('500');
    await addPackage.getByLabel('Currency').fill('EUR');
    await addPackage.getByLabel('Price (EUR)').fill('4.99');
    await addPackage.getByLabel('Reason').fill('a smaller pack for new customers');
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await addPackage.getByRole('button', { name: 'Add the package' }).click();
    await page.getByRole('status').filter({ hasText: 'e2e-pack-500 is on sale.' }).waitFor();
    const packRow = page.getByRole('table', { name: 'Packages' }).getByRole('row', { name: /e2e-pack-500/ });
    expect(await packRow.textContent()).toContain('4.99 EUR');
    const onSale = (await (await fetch(`${server.url}/api/v1/packages`)).json()) as { packages: { code: string; price: number }[] };
    expect(onSale.packages).toContainEqual(expect.objectContaining({ code: 'e2e-pack-500', price: 499 }));

    // Staff: a support member created here, the enrolment link shown once; the link opens the enrolment page.
    await nav.getByRole('link', { name: 'Staff' }).click();
    await page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
    await page.getByRole('button', { name: 'Add a staff member…' }).click();
    const addStaff = page.getByRole('form', { name: 'Add a staff member' });
    await addStaff.getByLabel('E-mail address').fill('e2e-support@example.com');
    await addStaff.getByLabel('Role').selectOption('support');
    await addStaff.getByLabel('Reason').fill('new support hire');
    await addStaff.getByRole('button', { name: 'Create the account' }).click();
    const enrolment = (await page.getByTestId('enrolment-link').textContent()) ?? '';
    expect(enrolment).toMatch(/\/admin\/enrol#token=otp_enr_/);
    const staffRow = page.getByRole('table', { name: 'Staff' }).getByRole('row', { name: /e2e-support@example.com/ });
    await staffRow.getByText('not enrolled').waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'console-staff-desktop');
    const other = await browser.newContext({ baseURL: server.url, serviceWorkers: 'block' });
    const enrolPage = await other.newPage();
    const link = new URL(enrolment);
    await enrolPage.goto(`${link.pathname}${link.hash}`);
    await enrolPage.getByTestId('totp-secret').waitFor();
    await other.close();
    expect(guard.foreign).toEqual([]);

    // Numbers: a gateway connected with the CLI; the admin puts one of its numbers in the pool with a reason.
    const gateway = await runCli(['gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'e2e-phone'], {
      DATA_DIR: data.path,
      LOG_LEVEL: 'warn',
    });
    expect(gateway.code, gateway.stderr).toBe(0);
    await nav.getByRole('link', { name: 'Numbers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Own numbers' }).waitFor();
    await page
      .getByRole('table', { name: 'Gateways' })
      .getByRole('row', { name: /e2e-phone/ })
      .waitFor();
    await page.getByRole('button', { name: 'Add a number…' }).click();
    const addNumber = page.getByRole('form', { name: 'Add a number' });
    await addNumber.getByLabel('Number', { exact: true }).fill('+14155550177');
    await addNumber.getByLabel('Services').fill('tg,wa');
    await addNumber.getByLabel('Device id (Android)').fill('e2e-device');
    await addNumber.getByLabel('SIM slot (Android)').fill('1');
    await addNumber.getByLabel('Reason').fill('a new SIM in the office phone');
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await addNumber.getByRole('button', { name: 'Add the number' }).click();
    await page.getByRole('status').filter({ hasText: '+14155550177 is in the pool.' }).waitFor();
    const numberRow = page.getByRole('table', { name: 'Numbers' }).getByRole('row', { name: /\+14155550177/ });
    expect(await numberRow.textContent()).toContain('tg, wa');
    expect(await numberRow.textContent()).toContain('free');
    await page.getByRole('button', { name: 'Open the unmatched messages' }).click();
    await page.getByText('No unmatched message.').waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'console-numbers-desktop');

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
    await page.goto('/admin/packages');
    await page.getByRole('table', { name: 'Packages' }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await page.goto('/admin/numbers');
    await page.getByRole('table', { name: 'Numbers' }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'console-numbers-phone');
    await page.goto('/admin/staff');
    await page.getByRole('table', { name: 'Staff' }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'console-staff-phone');
  }, 120_000); // the longest journey: nine pages on two screens
});
