import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asActor, cookieHeader, createActor, ctxOf, newDeviceCredentials, signUp, uniqueIp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { queuedMail } from '../../../test/support/mail.ts';
import { api, fundedActor } from '../../../test/support/orders.ts';
import { queryRows } from '../../db/client.ts';
import { accounts, apiKeys, authTokens, sessions, webhookEndpoints } from '../../db/schema/index.ts';
import { createApiKey, hashToken } from '../../modules/accounts/index.ts';
import { grantCredits } from '../../modules/ledger/index.ts';
import { addPackage, createPayment } from '../../modules/payments/index.ts';
import { DATA_MAP, ownedTables, staffRef } from '../../modules/privacy/index.ts';
import { createWebhookEndpoint } from '../../modules/webhooks/index.ts';
import { EXPORT_LIMIT } from '../routes/privacy-export.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ORDER_RATE_LIMIT: '0' } });
});
afterAll(() => t?.close());

type Section = { withheld: Record<string, string>; rows: Record<string, unknown>[]; purpose: string; retention: string };
type ExportDocument = { format: string; generatedAt: string; accountId: string; policyVersion: string; sections: Record<string, Section> };

const json = { 'content-type': 'application/json' };
const exportWith = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/privacy/export', headers });

/** A customer with one of everything: a browser session, an API key, an order with its SMS, a webhook endpoint, a payment, credits. */
async function busyCustomer() {
  const customer = await signUp(t);
  const cookie = { cookie: customer.cookie };
  const key = (
    await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { ...cookie, ...json }, payload: { name: 'my script' } })
  ).json();
  await grantCredits(ctxOf(t, 'cli'), {
    accountId: customer.accountId,
    amount: 5000,
    reason: 'welcome credits',
    idempotencyKey: `grant:${customer.accountId}`,
  });
  const bearer = { accountId: customer.accountId, email: customer.email, bearer: `Bearer ${key.key}` };
  const order = (await api(t, bearer).order()).json();
  expect(order.id).toBeDefined();
  expect((await api(t, bearer).sms(order.id, 'Your Telegram code: 40417. Do not share it.')).statusCode).toBeLessThan(300);
  const endpoint = (
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhook-endpoints',
      headers: { ...cookie, ...json },
      payload: { url: 'https://hooks.example.com/mine' },
    })
  ).json();
  expect(endpoint.secret).toMatch(/^whsec_/);
  const pkg = await addPackage(ctxOf(t, 'cli'), {
    code: `pack-${customer.accountId.slice(-6)}`,
    credits: 1000,
    priceMinor: 500,
    currency: 'EUR',
  });
  const { payment } = await createPayment(ctxOf(t), { accountId: customer.accountId, pkg, method: 'card', processor: 'stripe' });
  return { ...customer, sessionToken: customer.cookie.split('=')[1] as string, apiKey: key.key as string, order, endpoint, payment };
}

describe('GET /api/v1/privacy/export', () => {
  it('answers one JSON file of everything held about the account, walked from the data map, without secrets or hashes', async () => {
    const other = await fundedActor(t, 1000);
    const othersOrder = (await api(t, other).order()).json();
    await api(t, other).sms(othersOrder.id, 'Someone else: 99881');
    const me = await busyCustomer();

    const response = await exportWith({ cookie: me.cookie });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-disposition']).toBe('attachment; filename="otpbox-export-2026-06-01.json"');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const document = response.json() as ExportDocument;
    expect(document).toMatchObject({
      format: 'otpbox-export/1',
      generatedAt: '2026-06-01T12:00:00.000Z',
      accountId: me.accountId,
      policyVersion: t.policy.version,
    });

    // Every owned table of the map is a section (no hand-written list), explained from the map.
    expect(Object.keys(document.sections)).toEqual(ownedTables());
    expect(document.sections.activations?.purpose).toBe(DATA_MAP.activations?.purpose);
    expect(document.sections.consents?.retention).toBe('Kept while your account exists.');
    const rows = (table: string) => document.sections[table]?.rows ?? [];

    expect(rows('accounts')).toEqual([
      expect.objectContaining({ id: me.accountId, email: me.email, kind: 'email', created_at: '2026-06-01T12:00:00.000Z' }),
    ]);
    expect(rows('sessions')).toHaveLength(1);
    expect(rows('consents').length).toBeGreaterThanOrEqual(2);
    expect(rows('api_keys')).toEqual([expect.objectContaining({ name: 'my script', display_prefix: expect.any(String) })]);
    expect(rows('activations')).toEqual([expect.objectContaining({ id: me.order.id, service: 'tg', phone: me.order.phone })]);
    expect(rows('activation_sms')).toEqual([
      expect.objectContaining({ activation_id: me.order.id, code: '40417', text: 'Your Telegram code: 40417. Do not share it.' }),
    ]);
    expect(rows('webhook_endpoints')).toEqual([expect.objectContaining({ id: me.endpoint.id, url: 'https://hooks.example.com/mine' })]);
    expect(rows('payments')).toEqual([
      expect.objectContaining({ id: me.payment.id, status: 'created', amount_minor: '500', currency: 'EUR' }),
    ]);
    // The ledger statement: wallets, and entries and transfers reached through them (two levels of parents).
    expect(rows('ledger_accounts').map((row) => row.owner_account_id)).toEqual([me.accountId]);
    const walletId = rows('ledger_accounts')[0]?.id;
    expect(rows('ledger_transfers')).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'grant', amount: '5000', reason: 'welcome credits' })]),
    );
    expect(rows('ledger_entries').length).toBeGreaterThanOrEqual(2);
    for (const entry of rows('ledger_entries')) expect(entry.account_id).toBe(walletId);
    expect(rows('security_events').map((row) => row.type)).toEqual(expect.arrayContaining(['signup', 'api_key_created']));

    // Values: ISO 8601 times, bigints as strings, rows in a stable order (by primary key).
    expect(rows('ledger_entries').every((row) => typeof row.id === 'string' && typeof row.amount === 'string')).toBe(true);
    const entryIds = rows('ledger_entries').map((row) => BigInt(row.id as string));
    expect(entryIds).toEqual([...entryIds].sort((a, b) => (a < b ? -1 : 1)));
    expect(rows('activations')[0]?.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    // Secrets and hashes never appear, and the document says which fields it left out and why.
    const [account] = await t.database.db.select().from(accounts).where(eq(accounts.id, me.accountId));
    const [key] = await t.database.db.select().from(apiKeys).where(eq(apiKeys.accountId, me.accountId));
    const [session] = await t.database.db.select().from(sessions).where(eq(sessions.accountId, me.accountId));
    const [endpoint] = await t.database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.accountId, me.accountId));
    const [token] = await t.database.db.select().from(authTokens).where(eq(authTokens.accountId, me.accountId));
    const [mail] = await queuedMail(t, { accountId: me.accountId });
    const mailedToken = /otp_eml_[A-Za-z0-9_-]+/.exec(mail?.bodyText ?? '')?.[0];
    const secrets = {
      password: me.password,
      passwordHash: account?.passwordHash,
      apiKey: me.apiKey,
      apiKeyHash: key?.keyHash,
      sessionToken: me.sessionToken,
      sessionHash: session?.tokenHash,
      sessionHashOfCookie: hashToken(me.sessionToken),
      webhookSecret: me.endpoint.secret,
      webhookSecretSealed: endpoint?.secretEncrypted,
      emailToken: mailedToken,
      emailTokenHash: token?.tokenHash,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect(value, `${name} exists`).toBeTruthy();
      expect(response.body.includes(value as string), `${name} is in the export`).toBe(false);
    }
    expect(document.sections.accounts?.withheld).toHaveProperty('password_hash');
    expect(document.sections.webhook_endpoints?.withheld).toHaveProperty('secret_encrypted');
    expect(rows('accounts')[0]).not.toHaveProperty('password_hash');
    expect(rows('email_outbox')[0]).not.toHaveProperty('body_text');

    // Another account's rows never appear.
    for (const value of [other.accountId, othersOrder.id, othersOrder.phone, 'Someone else: 99881'])
      expect(response.body).not.toContain(value);

    // The export itself is on record.
    const events = (await t.app.inject({ method: 'GET', url: '/api/v1/security-events', headers: { cookie: me.cookie } })).json().events;
    expect(events.map((event: { type: string }) => event.type)).toContain('data_exported');
  });

  it('is refused to an API key (403) and open to the app’s device token', async () => {
    const customer = await createActor(t);
    const refused = await exportWith({ authorization: customer.bearer });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('FORBIDDEN');

    const device = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/device',
      payload: {
        ...newDeviceCredentials(),
        platform: 'android',
        osVersion: '15',
        model: 'Pixel 9',
        appVersion: '1.2.0',
        ageConfirmed: true,
        policyVersion: t.policy.version,
      },
      remoteAddress: uniqueIp(),
    });
    expect(device.statusCode, device.body).toBe(201);
    const document = (await exportWith({ authorization: `Bearer ${device.json().token}` })).json() as ExportDocument;
    expect(document.sections.devices?.rows).toEqual([expect.objectContaining({ model: 'Pixel 9', platform: 'android' })]);
    expect(document.sections.devices?.rows[0]).not.toHaveProperty('device_hash');
    expect(JSON.stringify(document)).not.toContain(device.json().token);
  });

  it(`allows ${EXPORT_LIMIT.limit} copies an hour, then answers 429 until the hour is over`, async () => {
    const customer = await signUp(t);
    for (let i = 0; i < EXPORT_LIMIT.limit; i++) expect((await exportWith({ cookie: customer.cookie })).statusCode).toBe(200);
    const limited = await exportWith({ cookie: customer.cookie });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    t.clock.advance(EXPORT_LIMIT.windowMs);
    // Signed in again: an hour idle ends a browser session.
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: customer.email, password: customer.password },
      remoteAddress: uniqueIp(),
    });
    expect(login.statusCode, login.body).toBe(200);
    expect((await exportWith({ cookie: cookieHeader(login) })).statusCode).toBe(200);
  });

  it('reads a long history in pages without leaving anything out', async () => {
    const customer = await signUp(t);
    // More than two pages of 500, written in one statement.
    await t.database.db.execute(
      sql`insert into security_events (id, account_id, type, occurred_at)
          select 'sev_page_' || lpad(g::text, 5, '0'), ${customer.accountId}, 'login_failed', now() from generate_series(1, 1203) g`,
    );
    const document = (await exportWith({ cookie: customer.cookie })).json() as ExportDocument;
    const ids = (document.sections.security_events?.rows ?? []).map((row) => row.id as string);
    const [count] = await queryRows<{ n: string }>(
      t.database.db,
      sql`select count(*)::text as n from security_events where account_id = ${customer.accountId}`,
    );
    // Every row once, in key order: the export's own event is written before the copy is read.
    expect(ids).toHaveLength(Number(count?.n));
    expect(ids.length).toBeGreaterThan(1203);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort());
  });
});

describe('GET /api/v1/privacy/export of sealed values (ADR 28)', () => {
  it('opens the SMS text a webhook delivery carries, as it opens the message itself', async () => {
    const customer = await signUp(t);
    await grantCredits(ctxOf(t, 'cli'), {
      accountId: customer.accountId,
      amount: 500,
      reason: 'funds',
      idempotencyKey: `g:${customer.accountId}`,
    });
    const bearer = {
      accountId: customer.accountId,
      email: customer.email,
      bearer: `Bearer ${(await createApiKey(ctxOf(t), customer.accountId, 'k')).key}`,
    };
    await createWebhookEndpoint(ctxOf(t), customer.accountId, { url: 'https://hooks.example.com/sealed' });
    const order = (await api(t, bearer).order()).json();
    await api(t, bearer).sms(order.id, 'Code 86420, sealed on the way');
    const stored = await queryRows<{ payload: { data: { text: string } } }>(
      t.database.db,
      sql`select d.payload from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
           where e.account_id = ${customer.accountId} and d.type = 'sms.received'`,
    );
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain('sealed on the way');
    const document = (await exportWith({ cookie: customer.cookie })).json() as ExportDocument;
    const deliveries = document.sections.webhook_deliveries?.rows ?? [];
    expect(deliveries.find((row) => (row.payload as { type: string }).type === 'sms.received')?.payload).toMatchObject({
      data: { code: '86420', text: 'Code 86420, sealed on the way' },
    });
  });
});

describe('GET /api/v1/privacy/export with SMS_STORAGE=ephemeral', () => {
  it('exports what is stored: the code and when it arrived, no text', async () => {
    const ephemeral = await createTestApp({ env: { SMS_STORAGE: 'ephemeral', ORDER_RATE_LIMIT: '0' } });
    try {
      const customer = await signUp(ephemeral);
      const key = await createApiKey(ctxOf(ephemeral), customer.accountId, 'orders');
      const actor = { accountId: customer.accountId, email: customer.email, bearer: `Bearer ${key.key}` };
      await grantCredits(ctxOf(ephemeral, 'cli'), {
        accountId: customer.accountId,
        amount: 1000,
        reason: 'test',
        idempotencyKey: `e:${customer.accountId}`,
      });
      const order = (await api(ephemeral, actor).order()).json();
      await api(ephemeral, actor).sms(order.id, 'Telegram code 55123 (ephemeral-marker-7f3a)');
      const response = await ephemeral.app.inject({ method: 'GET', url: '/api/v1/privacy/export', headers: { cookie: customer.cookie } });
      const sms = (response.json() as ExportDocument).sections.activation_sms?.rows;
      expect(sms).toEqual([expect.objectContaining({ activation_id: order.id, code: '55123', text: null })]);
      expect(response.body).not.toContain('ephemeral-marker-7f3a');
    } finally {
      await ephemeral.close();
    }
  });
});

describe('the staff access log', () => {
  it('logs every staff read of a customer before answering, shows it to the customer and exports it', async () => {
    const customer = await signUp(t);
    const support = await createActor(t, 'support');
    const at = t.clock.now().toISOString();
    const read = await t.app.inject({
      method: 'GET',
      url: `/api/v1/admin/accounts/${customer.accountId}`,
      headers: { ...asActor(support), 'x-access-reason': 'ticket 4411: cannot sign in' },
    });
    expect(read.statusCode).toBe(200);
    const admin = await createActor(t, 'admin');
    await t.app.inject({
      method: 'GET',
      url: `/api/v1/admin/accounts/${customer.accountId}?reason=chargeback+review`,
      headers: asActor(admin),
    });
    // Staff reading their own account are not logged; a read of an account that does not exist reads nothing.
    await t.app.inject({ method: 'GET', url: `/api/v1/admin/accounts/${support.accountId}`, headers: asActor(support) });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/accounts/acc_nobody', headers: asActor(support) })).statusCode).toBe(
      404,
    );

    const log = await t.app.inject({ method: 'GET', url: '/api/v1/privacy/access-log', headers: { cookie: customer.cookie } });
    expect(log.statusCode).toBe(200);
    const ref = staffRef(t.keys, support.accountId);
    expect(log.json()).toEqual({
      items: [
        {
          id: expect.any(String),
          role: 'admin',
          staffRef: staffRef(t.keys, admin.accountId),
          what: 'account.profile',
          reason: 'chargeback review',
          at,
        },
        {
          id: expect.any(String),
          role: 'support',
          staffRef: ref,
          what: 'account.profile',
          reason: 'ticket 4411: cannot sign in',
          at,
        },
      ],
      nextCursor: null,
    });
    expect(ref).toMatch(/^staff_[0-9a-f]{16}$/);
    expect(log.body).not.toContain(support.accountId);
    expect(log.body).not.toContain(support.email);
    const page = (
      await t.app.inject({ method: 'GET', url: '/api/v1/privacy/access-log?limit=1', headers: { cookie: customer.cookie } })
    ).json();
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toBe(page.items[0].id);

    const supportsOwn = (
      await t.app.inject({ method: 'GET', url: '/api/v1/privacy/access-log', headers: { authorization: support.bearer } })
    ).json();
    expect(supportsOwn.items).toEqual([]);

    const exported = await exportWith({ cookie: customer.cookie });
    const rows = (exported.json() as ExportDocument).sections.staff_access_log?.rows ?? [];
    expect(rows.map((row) => [row.staff_account_id, row.staff_role, row.reason])).toEqual([
      [ref, 'support', 'ticket 4411: cannot sign in'],
      [staffRef(t.keys, admin.accountId), 'admin', 'chargeback review'],
    ]);
    expect(exported.body).not.toContain(support.accountId);
  });

  it('names the staff member behind a console grant by the same pseudonym, never their account id', async () => {
    const customer = await signUp(t);
    const support = await createActor(t, 'support');
    const granted = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/accounts/${customer.accountId}/credits`,
      headers: asActor(support),
      payload: { amount: 10, reason: 'goodwill' },
    });
    expect(granted.statusCode).toBe(201);
    const exported = await exportWith({ cookie: customer.cookie });
    const transfers = (exported.json() as ExportDocument).sections.ledger_transfers?.rows ?? [];
    const grant = transfers.find((row) => row.id === granted.json().transferId);
    expect(grant).toMatchObject({
      actor: staffRef(t.keys, support.accountId),
      metadata: { source: 'console', staff: staffRef(t.keys, support.accountId) },
    });
    expect(exported.body).not.toContain(support.accountId);
  });

  it('refuses the read when it cannot be logged: no unlogged reads', async () => {
    const customer = await signUp(t);
    const support = await createActor(t, 'support');
    await t.database.db.execute(sql`alter table staff_access_log rename to staff_access_log_away`);
    try {
      const read = await t.app.inject({
        method: 'GET',
        url: `/api/v1/admin/accounts/${customer.accountId}`,
        headers: asActor(support),
      });
      expect(read.statusCode).toBe(500);
      expect(read.body).not.toContain(customer.email);
    } finally {
      await t.database.db.execute(sql`alter table staff_access_log_away rename to staff_access_log`);
    }
  });
});
