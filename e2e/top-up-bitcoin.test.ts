/// <reference lib="dom" />
// Journey 6 (a 390×844 phone): buy credits with Bitcoin against the real server, with a fake
// Blockonomics behind BLOCKONOMICS_API_BASE → Top up from the tab bar → the payment's page shows the
// address, the amount, the QR code of the BIP 21 request and the countdown → Blockonomics calls back as
// the transaction is seen (pending, live) and confirmed (paid, live, the credits in the balance).

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeBlockonomics, randomTxid, startFakeBlockonomics } from '../test/fakes/blockonomics-server.ts';
import { runCli, tempDir } from '../test/support/spawn.ts';
import { audit, CLEAN_AUDIT } from './support/audit.ts';
import { launchChromium, openJourney, PHONE, type RunningServer, screenshot, startServer } from './support/harness.ts';

const CALLBACK_SECRET = 'e2e-bitcoin-callback-secret-0123456789';

let blockonomics: FakeBlockonomics;
let server: RunningServer;
let browser: Browser;
let data: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  [blockonomics, data, browser] = await Promise.all([startFakeBlockonomics(), tempDir('otpbox-e2e-bitcoin-'), launchChromium()]);
  server = await startServer(
    {
      BLOCKONOMICS_API_KEY: blockonomics.apiKey,
      BLOCKONOMICS_CALLBACK_SECRET: CALLBACK_SECRET,
      BLOCKONOMICS_API_BASE: blockonomics.baseUrl,
    },
    data.path,
  );
  const added = await runCli(['packages', 'add', '--code', 'starter', '--credits', '500', '--price', '500', '--currency', 'USD'], {
    DATA_DIR: data.path,
    LOG_LEVEL: 'warn',
  });
  expect(added.code, added.stderr).toBe(0);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await blockonomics?.close();
  await data?.remove();
});

describe('top up with Bitcoin (phone)', () => {
  it('shows where to pay, then the payment seen and confirmed, live', async () => {
    const { page, guard } = await openJourney(browser, server, {
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      serviceWorkers: 'block',
    });
    await page.goto('/start');
    await page.getByLabel('I am at least 18 years old').check();
    await page.getByLabel('I have read and accept the privacy policy').check();
    await page.getByRole('button', { name: 'Continue anonymously' }).click();
    await page.waitForURL('**/buy');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Top up' }).click();
    // Only Blockonomics is configured here: the packages say so, and the page offers Bitcoin alone (no choice to make).
    await page.getByRole('button', { name: 'Pay $5.00 with Bitcoin' }).waitFor();
    expect(await page.getByRole('radio', { name: /card/i }).count()).toBe(0);
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await page.getByRole('button', { name: 'Pay $5.00 with Bitcoin' }).click();
    await page.waitForURL(/\/payments\/pay_/);

    // Where to pay: the address Blockonomics made for this payment, the amount, the request as a QR code.
    const address = blockonomics.issued.at(-1) ?? '';
    expect(address).toMatch(/^bc1/);
    await page.getByText('Waiting for your bitcoin payment…').waitFor();
    await page.getByText(address, { exact: true }).waitFor();
    const amount = ((await page.locator('.bitcoin__value').first().textContent()) ?? '').replace(/ BTC$/, '');
    expect(amount).toMatch(/^0\.\d{8}$/);
    const uri = await page.getByRole('link', { name: 'Open in a wallet app' }).getAttribute('href');
    expect(uri?.startsWith(`bitcoin:${address}?amount=${amount}`)).toBe(true);
    const qr = page.getByRole('img', { name: `QR code: pay ${amount} BTC to the address below` });
    await qr.waitFor();
    expect(await qr.locator('path').getAttribute('d')).toMatch(/^M\d+ \d+h\d+v1h-\d+z/);
    await expect(page.locator('time.bitcoin__countdown').textContent()).resolves.toMatch(/^\d+:\d\d$/);
    await page.getByRole('button', { name: 'Copy address' }).waitFor();
    await page.locator('[data-live="open"]').waitFor();
    expect(await audit(page)).toEqual(CLEAN_AUDIT);
    await screenshot(page, 'bitcoin-phone');

    // The wallet pays: Blockonomics sees the transaction, then it confirms.
    const satoshis = Number(amount.replace('.', ''));
    const callback = `${server.url}/webhooks/blockonomics`;
    const txid = randomTxid();
    const seen = await blockonomics.fireCallback(callback, { secret: CALLBACK_SECRET, addr: address, status: 0, value: satoshis, txid });
    expect(seen.status).toBe(200);
    await page.getByText(/Your payment was seen on the bitcoin network/).waitFor();
    expect(await page.getByText(address, { exact: true }).count()).toBe(0);
    await expect(page.getByRole('link', { name: '0 credits, your balance', exact: true }).isVisible()).resolves.toBe(true);

    const confirmed = await blockonomics.fireCallback(callback, {
      secret: CALLBACK_SECRET,
      addr: address,
      status: 2,
      value: satoshis,
      txid,
    });
    expect(confirmed.status).toBe(200);
    await page.locator('main').getByText('Paid: 500 credits were added to your balance.').waitFor();
    await page.getByRole('link', { name: '500 credits, your balance', exact: true }).waitFor();
    await expect(page.locator('.payment__details').textContent()).resolves.toContain('Bitcoin');
    expect(await audit(page)).toEqual(CLEAN_AUDIT);

    expect(guard.foreign).toEqual([]);
  });
});
