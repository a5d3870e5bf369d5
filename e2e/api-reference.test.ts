// Journey 5: the API reference at /docs works in a real browser with every file from our own origin
// (no CDN, no web fonts, no telemetry) and under its CSP, which would show as console errors.

import type { Browser, ConsoleMessage } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openJourney, type RunningServer, screenshot, startServer } from './support/harness.ts';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the API reference', () => {
  it('shows the operations and tries one out, loading nothing from elsewhere', async () => {
    const journey = await openJourney(browser, server);
    const { page, guard } = journey;
    const errors: string[] = [];
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto('/docs');
    await page.getByRole('heading', { name: 'otpbox API', exact: true }).waitFor();
    await page
      .getByRole('button', { name: /^catalog/ })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Services you can get a number for' }).first().waitFor();
    await screenshot(page, 'api-reference-desktop');

    // "Test request" (of the first operation shown) sends the request from the page to this server.
    await page
      .getByRole('button', { name: /Test Request/ })
      .first()
      .click();
    const answered = page.waitForResponse((response) => response.request().resourceType() === 'fetch');
    await page.getByRole('button', { name: /^Send/ }).first().click();
    const response = await answered;
    expect(new URL(response.url()).origin).toBe(server.url);
    expect(response.status()).toBe(200);
    await page.getByText('200 OK').first().waitFor();

    expect(guard.foreign).toEqual([]);
    expect(errors).toEqual([]);
    await journey.context.close();
  });
});
