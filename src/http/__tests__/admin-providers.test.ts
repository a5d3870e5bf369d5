import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asActor, createActor } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { connectSmsActivate } from '../../../test/support/providers.ts';
import { auditLog, providers } from '../../db/schema/index.ts';

let t: TestApp;
const closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  for (const close of closers) await close();
  await t?.close();
});

const post = (url: string, headers: Record<string, string>, body: unknown) =>
  t.app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const auditOf = async (action: string, providerId: string) =>
  t.database.db.select().from(auditLog).where(sql`${auditLog.action} = ${action} and ${auditLog.details}->>'providerId' = ${providerId}`);

describe('admin providers API', () => {
  it('lists providers with terms, health, balance and the low-balance flag, to support staff too; never the key', async () => {
    const connected = await connectSmsActivate(t, 'listed-one', { markupPercent: '12.5', priority: 7 });
    closers.push(connected.close);
    const support = await createActor(t, 'support');
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/admin/providers', headers: asActor(support) });
    expect(response.statusCode, response.body).toBe(200);
    const listed = response.json().providers.find((p: { name: string }) => p.name === 'listed-one');
    expect(listed).toMatchObject({
      kind: 'sms-activate',
      priority: 7,
      markupPercent: '12.5',
      health: 'ok',
      circuitOpen: false,
      removed: false,
    });
    expect(listed.offers).toBeGreaterThan(0);
    expect(typeof listed.balance).toBe('number');
    expect(listed.balanceLow).toBe(listed.balance < listed.lowBalance);
    expect(response.body).not.toContain(connected.fake.apiKey);
    expect(response.body).not.toMatch(/apiKey|pushToken/);
  });

  it('adds a provider with a required reason, keeps the key write-only, and audits who and why', async () => {
    const admin = await createActor(t, 'admin');
    const body = {
      kind: 'sms-activate',
      name: 'console-added',
      baseUrl: 'https://sms.example.com/stubs/handler_api.php',
      apiKey: 'k3y-s3cret-value',
    };
    const noReason = await post('/api/v1/admin/providers', asActor(admin), body);
    expect(noReason.statusCode).toBe(400);
    // The command line's check, in the API's words, naming what was wrong with the URL.
    const ftp = await post('/api/v1/admin/providers', asActor(admin), { ...body, baseUrl: 'ftp://sms.example.com/', reason: 'a typo' });
    expect([ftp.statusCode, ftp.json().error.message]).toEqual([
      400,
      '`baseUrl` must be an https:// URL (or http://, which sends the key unencrypted), not ftp://',
    ]);
    const response = await post('/api/v1/admin/providers', asActor(admin), {
      ...body,
      markupPercent: '20',
      lowBalance: '12.5',
      reason: 'new supplier',
    });
    expect(response.statusCode, response.body).toBe(201);
    const added = response.json();
    expect(added.provider).toMatchObject({
      name: 'console-added',
      markupPercent: '20',
      lowBalance: 12.5,
      balance: null,
      health: 'unknown',
    });
    expect(added.pushUrl).toMatch(/\/webhooks\/providers\/console-added\?token=pst_/);
    expect(response.body).not.toContain('k3y-s3cret-value');
    const [row] = await t.database.db.select().from(providers).where(eq(providers.name, 'console-added'));
    expect(row?.apiKeyEncrypted).not.toContain('k3y-s3cret-value');
    const [audit] = await auditOf('provider.add', added.provider.id);
    expect(audit).toMatchObject({ actor: admin.accountId, details: expect.objectContaining({ reason: 'new supplier' }) });

    const again = await post('/api/v1/admin/providers', asActor(admin), { ...body, reason: 'twice' });
    expect(again.statusCode).toBe(409);
  });

  it('changes priority, markup, fee and threshold in one audited change, then removes the provider', async () => {
    const admin = await createActor(t, 'admin');
    const created = await post('/api/v1/admin/providers', asActor(admin), {
      kind: '5sim',
      name: 'to-change',
      apiKey: 'another-key',
      reason: 'trial',
    });
    const id = created.json().provider.id as string;
    const changed = await post(`/api/v1/admin/providers/${id}`, asActor(admin), {
      priority: 3,
      markupPercent: '-5.5',
      feeCredits: 2,
      lowBalance: '100',
      reason: 'cheaper now',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ priority: 3, markupPercent: '-5.5', feeCredits: 2, lowBalance: 100 });
    const [audit] = await auditOf('provider.update', id);
    expect(audit?.details).toMatchObject({
      reason: 'cheaper now',
      before: { priority: 100, markupBasisPoints: 0 },
      after: { priority: 3 },
    });
    expect((await post(`/api/v1/admin/providers/${id}`, asActor(admin), { reason: 'nothing' })).statusCode).toBe(400);
    expect((await post(`/api/v1/admin/providers/${id}`, asActor(admin), { priority: 4, reason: 'x' })).statusCode).toBe(400);

    const removed = await post(`/api/v1/admin/providers/${id}/remove`, asActor(admin), { reason: 'trial over' });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json()).toEqual({ name: 'to-change', draining: 0, deleted: true });
    expect((await auditOf('provider.remove', id))[0]?.details).toMatchObject({ reason: 'trial over' });
    const gone = await post(`/api/v1/admin/providers/${id}/remove`, asActor(admin), { reason: 'again' });
    expect(gone.statusCode).toBe(404);
  });

  it('refuses support staff any change', async () => {
    const support = await createActor(t, 'support');
    const response = await post('/api/v1/admin/providers', asActor(support), { kind: '5sim', name: 'nope', apiKey: 'k', reason: 'try' });
    expect(response.statusCode).toBe(403);
  });
});
