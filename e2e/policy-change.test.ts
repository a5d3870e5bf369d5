// Journey 4 (P14): the operator changes a setting the privacy policy describes; the customer sees the
// change announced with the new "last updated" date, reads it, and accepts it again (with the age).

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/support/spawn.ts';
import { audit, CLEAN_AUDIT } from './support/audit.ts';
import { launchChromium, openJourney, type RunningServer, screenshot, startServer } from './support/harness.ts';

let data: { path: string; remove(): Promise<void> };
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  data = await tempDir('otpbox-e2e-policy-');
  [server, browser] = await Promise.all([startServer({ SMS_STORAGE: 'history' }, data.path), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await data?.remove();
});

describe('a new privacy policy', () => {
  it('is announced in the app and accepted again before it goes away', async () => {
    const journey = await openJourney(browser, server, { serviceWorkers: 'block' });
    const { page, context } = journey;
    await page.goto('/signup');
    await page.getByLabel('Email').fill('policy@example.com');
    await page.getByLabel('Password', { exact: true }).fill('a long passphrase for policies');
    await page.getByLabel('I am at least 18 years old').check();
    await page.getByLabel('I have read and accept the privacy policy').check();
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL('**/buy');
    const before = (await (await context.request.get('/api/v1/privacy/policy')).json()) as { version: string };
    expect(await page.getByRole('region', { name: 'A new version needs your acceptance' }).count()).toBe(0);
    const cookies = await context.cookies();

    // The operator stops keeping SMS text: the policy says so, under a new version.
    await server.stop();
    server = await startServer({ SMS_STORAGE: 'ephemeral' }, data.path);
    const changed = await openJourney(browser, server, { serviceWorkers: 'block' });
    await changed.context.addCookies(cookies.map((cookie) => ({ ...cookie, domain: '127.0.0.1' })));
    const after = (await (await changed.context.request.get('/api/v1/privacy/policy')).json()) as { version: string; text: string };
    expect(after.version).not.toBe(before.version);

    const { page: next, guard } = changed;
    await next.goto('/buy');
    const banner = next.getByRole('region', { name: 'A new version needs your acceptance' });
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/Our privacy policy changed on \d{1,2} \w+ \d{4}\./);
    expect(await audit(next)).toEqual(CLEAN_AUDIT);
    await screenshot(next, 'policy-banner-desktop');

    await banner.getByRole('link', { name: 'Review the policy' }).click();
    await next.getByRole('heading', { name: 'A new version needs your acceptance' }).waitFor();
    await next.getByText('is not stored on our servers', { exact: false }).first().waitFor();
    await next.getByRole('button', { name: 'Accept the new policy' }).click();
    await next.getByText('Confirm that you are at least 18 years old.').waitFor();
    expect(await audit(next)).toEqual(CLEAN_AUDIT);
    await next.getByLabel('I am at least 18 years old').check();
    await next.getByRole('button', { name: 'Accept the new policy' }).click();
    await next.getByText('Thank you: you accepted the current policy.').waitFor();

    await next.getByRole('link', { name: 'Buy', exact: true }).click();
    await next.getByRole('heading', { name: 'Buy a number' }).waitFor();
    expect(await banner.count()).toBe(0);
    const profile = (await (await changed.context.request.get('/api/v1/me')).json()) as { policy: { acceptedVersion: string } };
    expect(profile.policy.acceptedVersion).toBe(after.version);
    const events = (await (await changed.context.request.get('/api/v1/security-events')).json()) as { events: { type: string }[] };
    expect(events.events.map((e) => e.type)).toContain('policy_accepted');

    expect(journey.guard.foreign).toEqual([]);
    expect(guard.foreign).toEqual([]);
    await context.close();
    await changed.context.close();
  });
});
