import { generateSync } from 'otplib';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { runCli } from '../../test/support/spawn.ts';
import type { RunningServer } from './harness.ts';

/** A staff member as the console journeys use one: the sign-in and the authenticator's secret. */
export interface ConsoleStaff {
  email: string;
  password: string;
  role: 'admin' | 'support';
  /** The authenticator's code for this 30-second step (+ `stepsAhead` steps). */
  totp(stepsAhead?: number): string;
}

export const totpOf =
  (secret: string) =>
  (stepsAhead = 0) =>
    generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + stepsAhead * 30 });

/** `otpbox admin create` for the server's data folder; the enrolment link's token from what it printed. */
export async function createStaffWithCli(dataDir: string, staff: Omit<ConsoleStaff, 'totp'>): Promise<{ stdout: string; token: string }> {
  const created = await runCli(['admin', 'create', '--email', staff.email, '--role', staff.role], {
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    OTPBOX_PASSWORD: staff.password,
  });
  expect(created.code, created.stderr).toBe(0);
  const token = /#token=(\S+)/.exec(created.stdout)?.[1] ?? '';
  expect(token, created.stdout).toBeTruthy();
  return { stdout: created.stdout, token };
}

/** Create a staff member with the CLI and enrol the authenticator as the link's page does: read the secret, confirm a code. */
export async function enrolledStaff(server: RunningServer, dataDir: string, staff: Omit<ConsoleStaff, 'totp'>): Promise<ConsoleStaff> {
  const { token } = await createStaffWithCli(dataDir, staff);
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const read = await post('/auth/enrol', { token });
  expect(read.status).toBe(200);
  const totp = totpOf(((await read.json()) as { secret: string }).secret);
  const confirmed = await post('/auth/enrol/confirm', { token, code: totp() });
  expect(confirmed.status, await confirmed.clone().text()).toBe(200);
  return { ...staff, totp };
}

/**
 * Sign in on the console's sign-in page (already shown): the password, then the authenticator's
 * code of the next step (enrolment used this step's, and a code is never accepted twice).
 */
export async function signInToConsole(page: Page, staff: ConsoleStaff): Promise<void> {
  await page.getByLabel('E-mail address').fill(staff.email);
  await page.getByLabel('Password').fill(staff.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Code').fill(staff.totp(1));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(`${staff.email} (${staff.role})`).waitFor();
}
