import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOOD_PASSWORD, signUp, uniqueIp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { queuedMail } from '../../../test/support/mail.ts';
import { queryRows } from '../../db/client.ts';
import { accounts } from '../../db/schema/index.ts';
import { emailLookupHash } from '../../modules/keyring/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload, headers, remoteAddress: uniqueIp() });

/** Every text value of every row of the public schema's tables that mention the account. */
async function storedText(accountId: string): Promise<string> {
  const tables = ['accounts', 'auth_tokens', 'email_outbox', 'security_events', 'sessions'];
  let all = '';
  for (const table of tables) {
    const column = table === 'accounts' ? 'id' : 'account_id';
    const rows = await queryRows<Record<string, unknown>>(
      t.database.db,
      sql`select * from ${sql.identifier(table)} where ${sql.identifier(column)} = ${accountId}`,
    );
    all += JSON.stringify(rows);
  }
  return all;
}

describe('the e-mail address, sealed and looked up by its keyed hash', () => {
  it('stores the address sealed, the keyed hash of its normalised form beside it, and no copy in clear', async () => {
    const email = `Mixed.Case-${Date.now()}@Example.COM`;
    const { accountId } = await signUp(t, ` ${email} `);
    const [row] = await t.database.db.select().from(accounts).where(eq(accounts.id, accountId));
    expect(row?.emailHash).toBe(emailLookupHash(t.keys, email.toLowerCase()));
    expect(row?.email).not.toContain('@');
    expect((await storedText(accountId)).toLowerCase()).not.toContain(email.toLowerCase().split('@')[0]);
    // Opened where it is used: the profile, and the verification e-mail.
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: (await signIn(email)).cookie } });
    expect(me.json().email).toBe(email.toLowerCase());
    expect((await queuedMail(t, { accountId, template: 'verify_email' }))[0]?.toAddress).toBe(email.toLowerCase());
  });

  it('signs in with the address in another case, and refuses a wrong password the same as before', async () => {
    const email = `signin-${Date.now()}@example.com`;
    await signUp(t, email);
    expect((await signIn(email.toUpperCase())).statusCode).toBe(200);
    expect((await post('/api/v1/auth/login', { email: `  ${email}`, password: 'wrong password entirely' })).statusCode).toBe(401);
  });

  it('refuses a second sign-up with the address in another case', async () => {
    const email = `dupe-${Date.now()}@example.com`;
    const first = await signUp(t, email);
    const again = await post('/api/v1/auth/signup', {
      email: email.replace('dupe', 'DUPE').replace('example', 'EXAMPLE'),
      password: GOOD_PASSWORD,
      ageConfirmed: true,
      policyVersion: t.policy.version,
    });
    expect(again.json().error.code).toBe('EMAIL_UNAVAILABLE');
    expect(
      await t.database.db
        .select({ id: accounts.id })
        .from(accounts)
        .where(eq(accounts.emailHash, emailLookupHash(t.keys, email))),
    ).toEqual([{ id: first.accountId }]);
  });

  it('sends a reset link for the address in another case, to the address as the account holds it', async () => {
    const email = `reset-${Date.now()}@example.com`;
    const { accountId } = await signUp(t, email);
    expect((await post('/api/v1/auth/password-reset', { email: email.toUpperCase() })).statusCode).toBe(202);
    const [mail] = await queuedMail(t, { accountId, template: 'reset_password' });
    expect(mail?.toAddress).toBe(email);
    const token = /otp_eml_[A-Za-z0-9_-]+/.exec(mail?.bodyText ?? '')?.[0] ?? '';
    const confirmed = await post('/api/v1/auth/password-reset/confirm', { token, password: 'another good password 77' });
    expect(confirmed.statusCode).toBe(200);
    expect((await post('/api/v1/auth/login', { email, password: 'another good password 77' })).statusCode).toBe(200);
  });
});

async function signIn(email: string) {
  const response = await post('/api/v1/auth/login', { email, password: GOOD_PASSWORD });
  const cookie = response.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  return { statusCode: response.statusCode, cookie };
}
