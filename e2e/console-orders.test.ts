/// <reference lib="dom" />
// Console journey (desktop, then a phone): a customer's app rents a sandbox number and gets a code.
// Support staff, created with the CLI and enrolled as the link's page does it, sign in through the
// console with a code computed by otplib, open Orders and find the order by the rented number typed
// the way a customer reads it out (groups of digits with spaces), open it, and see its timeline with
// the code received. The list shows the number masked; the order's page opens it. No request leaves
// the origin.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/support/spawn.ts';
import { audit, CLEAN_AUDIT } from './support/audit.ts';
import { type ConsoleStaff, enrolledStaff, signInToConsole } from './support/console.ts';
import { DESKTOP, launchChromium, openJourney, PHONE, type RunningServer, screenshot, startServer } from './support/harness.ts';

let server: RunningServer;
let browser: Browser;
let data: { path: string; remove(): Promise<void> };
let support: ConsoleStaff;

const api = async (path: string, init: RequestInit = {}) => fetch(`${server.url}/api/v1${path}`, init);
const post = (path: string, body: unknown, token?: string) =>
  api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  [data, browser] = await Promise.all([tempDir('otpbox-e2e-console-orders-'), launchChromium()]);
  server = await startServer({}, data.path);
  support = await enrolledStaff(server, data.path, {
    email: 'console-support@example.com',
    password: 'a long support passphrase 3',
    role: 'support',
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await data?.remove();
});

/** A customer's app: a device account, demo credits, a sandbox Telegram number, and its code. */
async function customerOrderWithCode(): Promise<{ id: string; phone: string; code: string }> {
  const device = await post('/auth/device', {
    deviceId: crypto.randomUUID(),
    deviceSecret: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'),
    platform: 'android',
    osVersion: '15',
    model: 'Pixel 9',
    appVersion: '1.0.0',
    ageConfirmed: true,
    policyVersion: ((await (await api('/privacy/policy')).json()) as { version: string }).version,
  });
  expect(device.status, await device.clone().text()).toBeLessThan(300);
  const { token } = (await device.json()) as { token: string };
  const credits = await post('/sandbox/credits', {}, token);
  expect(credits.status, await credits.clone().text()).toBeLessThan(300);
  const ordered = await post('/activations', { service: 'tg', country: 'ID' }, token);
  expect(ordered.status, await ordered.clone().text()).toBe(201);
  const order = (await ordered.json()) as { id: string; phone: string };
  const sms = await post('/sandbox/sms', { activationId: order.id, text: 'Telegram code: 73519. Do not share it.' }, token);
  expect(sms.status, await sms.clone().text()).toBeLessThan(300);
  return { ...order, code: '73519' };
}

/** "+6281234567890" → "+62 812 3456 7890": how a customer reads a number out to support. */
const spoken = (phone: string) => {
  const digits = phone.replace(/\D/g, '');
  return `+${digits.slice(0, 2)} ${digits.slice(2, 5)} ${digits.slice(5, 9)} ${digits.slice(9)}`.trim();
};

describe('console: find an order by its number (support)', () => {
  it('signs in with password and TOTP, finds the order by the number read out with spaces, and sees its timeline with the code', async () => {
    const order = await customerOrderWithCode();
    const { page, guard } = await openJourney(browser, server, { serviceWorkers: 'block' });

    await page.goto('/admin');
    await signInToConsole(page, support);

    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Orders' }).click();
    await page.waitForURL('**/admin/orders');
    const filters = page.getByRole('form', { name: 'Filter the orders' });
    await filters.getByLabel('Order id, order number or rented number').fill(spoken(order.phone));
    await filters.getByRole('button', { name: 'Find' }).click();
    const row = page.getByRole('table', { name: 'Orders, newest first' }).getByRole('row', { name: new RegExp(order.id) });
    await row.waitFor();
    const digits = order.phone.replace(/\D/g, '');
    expect(await row.textContent()).toContain(`…${digits.slice(-4)}`);
    expect(await row.textContent()).not.toContain(digits);
    expect(await audit(page)).toEqual(CLEAN_AUDIT);

    await row.getByRole('link', { name: order.id }).click();
    await page.getByRole('heading', { name: `Order ${order.id}` }).waitFor();
    await page.getByText(order.phone, { exact: true }).waitFor();
    await page.getByRole('region', { name: 'Codes received' }).getByText(order.code).waitFor();
    const timeline = page.getByRole('region', { name: 'What happened' }).getByRole('listitem');
    await expect.poll(async () => (await timeline.allTextContents()).some((text) => text.includes(`code ${order.code}`))).toBe(true);
    const texts = await timeline.allTextContents();
    expect(texts[0]).toContain('created');
    expect(texts.some((text) => text.includes('number assigned'))).toBe(true);
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'console-order-life');

    // On a phone: the list becomes cards, and the page still passes the checks.
    await page.setViewportSize(PHONE);
    await page.goto('/admin/orders');
    await page.getByRole('table', { name: 'Orders, newest first' }).waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'console-orders-phone');
    await page.setViewportSize(DESKTOP);
    expect(guard.foreign).toEqual([]);
  });
});
