import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { otpboxOf } from '../../../../test/support/cli.ts';
import { api, code, fundedActor } from '../../../../test/support/orders.ts';
import { accounts, auditLog, privacyRequests } from '../../../db/schema/index.ts';
import { erasureDeps } from '../../../runtime/erasure-deps.ts';
import { completeErasures, ERASURE_RESOLUTIONS, eraseAccount, fileRequest } from '../index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { API_RATE_LIMIT: '0', ORDER_RATE_LIMIT: '0' } });
});
afterAll(() => t?.close());
const otpbox = otpboxOf(() => t);

const DAY = 86_400_000;

const metric = async (name: string, type: string) => {
  const body = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const match = new RegExp(`^${name}\\{type="${type}",service="otpbox"\\} (\\d+)$`, 'm').exec(body);
  return match ? Number(match[1]) : 0;
};

describe('otpbox privacy requests', () => {
  it('says when nothing waits', async () => {
    const listed = await otpbox('privacy', 'requests');
    expect(listed).toMatchObject({ code: 0, stdout: 'No rights requests are waiting.\n' });
  });

  it('lists the queue overdue first with the days left, as a table and as JSON, and counts it in the metrics', async () => {
    const first = await fileRequest(ctxOf(t), { accountId: (await createActor(t)).accountId, type: 'erasure' });
    t.clock.advance(20 * DAY);
    const second = await fileRequest(ctxOf(t), { accountId: (await createActor(t)).accountId, type: 'access' });
    t.clock.advance(12 * DAY);

    const table = await otpbox('privacy', 'requests');
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+STATUS\s+FILED\s+DUE\s+DAYS LEFT\s+ACCOUNT/);
    expect(lines[1]).toContain(first.id);
    expect(lines[1]).toContain('OVERDUE (2 days)');
    expect(lines[2]).toContain(second.id);
    expect(lines[2]).toMatch(/\s18\s/);
    expect(table.stdout).toContain('2 waiting, 1 overdue');

    const json = JSON.parse((await otpbox('privacy', 'requests', '--json')).stdout);
    expect(json).toMatchObject([
      { id: first.id, type: 'erasure', overdue: true, daysLeft: -2 },
      { id: second.id, type: 'access', overdue: false, daysLeft: 18 },
    ]);

    expect(await metric('otpbox_privacy_requests_open', 'erasure')).toBe(1);
    expect(await metric('otpbox_privacy_requests_open', 'access')).toBe(1);
    expect(await metric('otpbox_privacy_requests_overdue', 'erasure')).toBe(1);
    expect(await metric('otpbox_privacy_requests_overdue', 'access')).toBe(0);

    expect((await otpbox('privacy', 'requests', 'start', first.id)).stdout).toBe(`${first.id} (erasure) is now in progress.\n`);
    const done = await otpbox('privacy', 'requests', 'complete', first.id, '--note', 'Erased.');
    expect(done).toMatchObject({ code: 0, stdout: `${first.id} (erasure) is now completed.\n` });
    expect((await otpbox('privacy', 'requests', 'refuse', second.id, '--reason', 'Nothing to give.')).code).toBe(0);
    const [row] = await t.database.db.select().from(privacyRequests).where(eq(privacyRequests.id, first.id));
    expect(row).toMatchObject({ status: 'completed', resolution: 'Erased.', handledBy: 'cli' });

    // Moved out of the queue; the gauges follow once their one-second cache (on the injected clock) has passed.
    t.clock.advance(2000);
    expect(await metric('otpbox_privacy_requests_open', 'erasure')).toBe(0);
    expect(await metric('otpbox_privacy_requests_overdue', 'erasure')).toBe(0);
  });

  it('refuses bad usage and a move the state table does not allow', async () => {
    const request = await fileRequest(ctxOf(t), { accountId: (await createActor(t)).accountId, type: 'objection' });
    expect((await otpbox('privacy', 'requests', 'complete', request.id)).code).toBe(64);
    expect((await otpbox('privacy', 'requests', 'start')).code).toBe(64);
    expect((await otpbox('privacy', 'requests', 'refuse', request.id, '--reason', 'no')).code).toBe(64);
    await otpbox('privacy', 'requests', 'refuse', request.id, '--reason', 'Not applicable.');
    const again = await otpbox('privacy', 'requests', 'start', request.id);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('refused');
    expect((await otpbox('privacy', 'requests', 'start', 'prq_nope')).code).not.toBe(0);
  });

  it('completing an erasure request deletes the account at once, and the erasure job erases the rest', async () => {
    const customer = await fundedActor(t, 1000);
    const request = await fileRequest(ctxOf(t), { accountId: customer.accountId, type: 'erasure', details: 'Please delete me.' });
    const done = await otpbox('privacy', 'requests', 'complete', request.id, '--note', 'Your account is deleted.');
    expect(done.code, done.stderr).toBe(0);
    // Every way in ended with the request.
    expect((await api(t, customer).order()).statusCode).toBe(401);
    const [marked] = await t.database.db.select().from(accounts).where(eq(accounts.id, customer.accountId));
    expect(marked).toMatchObject({ status: 'deleted', pseudonym: expect.stringMatching(/^deleted:/), erasureCompletedAt: null });

    const run = await completeErasures(ctxOf(t, 'system'), erasureDeps(t.orders.activations, {}));
    expect(run.failed).toBe(0);
    const [erased] = await t.database.db.select().from(accounts).where(eq(accounts.id, customer.accountId));
    expect(erased).toMatchObject({ email: null, passwordHash: null, erasureCompletedAt: expect.any(Date) });
    const [kept] = await t.database.db.select().from(privacyRequests).where(eq(privacyRequests.id, request.id));
    expect(kept).toMatchObject({ status: 'completed', type: 'erasure', details: null });
  });

  it('the account deleted, its other requests leave the queue: an erasure request completed, the rest withdrawn, each audited', async () => {
    // Staff complete an erasure request while a rectification is open.
    const one = await fundedActor(t, 10);
    const erasure = await fileRequest(ctxOf(t), { accountId: one.accountId, type: 'erasure' });
    const rectification = await fileRequest(ctxOf(t), { accountId: one.accountId, type: 'rectification', details: 'my name is wrong' });
    expect((await otpbox('privacy', 'requests', 'complete', erasure.id, '--note', 'Deleted.')).code).toBe(0);
    const rows = async (accountId: string) =>
      Object.fromEntries(
        (await t.database.db.select().from(privacyRequests).where(eq(privacyRequests.accountId, accountId))).map((row) => [
          row.type,
          { status: row.status, resolution: row.resolution, handledBy: row.handledBy },
        ]),
      );
    expect(await rows(one.accountId)).toEqual({
      erasure: { status: 'completed', resolution: 'Deleted.', handledBy: 'cli' },
      rectification: { status: 'withdrawn', resolution: ERASURE_RESOLUTIONS.withdrawn, handledBy: 'system' },
    });
    const audits = await t.database.db.select().from(auditLog).where(eq(auditLog.accountId, one.accountId));
    expect(audits.filter((row) => row.action === 'privacy_request.withdrawn').map((row) => row.details)).toEqual([
      expect.objectContaining({ requestId: rectification.id, from: 'open', reason: 'account deleted' }),
    ]);

    // The customer deletes the account with an erasure request and an access request still open.
    const two = await fundedActor(t, 10);
    await fileRequest(ctxOf(t), { accountId: two.accountId, type: 'erasure' });
    await fileRequest(ctxOf(t), { accountId: two.accountId, type: 'access' });
    await eraseAccount(ctxOf(t), erasureDeps(t.orders.activations, {}), two.accountId, { reason: 'deleted by the customer' });
    expect(await rows(two.accountId)).toEqual({
      erasure: { status: 'completed', resolution: ERASURE_RESOLUTIONS.completed, handledBy: 'system' },
      access: { status: 'withdrawn', resolution: ERASURE_RESOLUTIONS.withdrawn, handledBy: 'system' },
    });
    const queue = await otpbox('privacy', 'requests', '--json');
    expect(queue.code, queue.stderr).toBe(0);
    const waiting = (JSON.parse(queue.stdout) as { id: string }[]).map((row) => row.id);
    expect(waiting).not.toContain(rectification.id);
    expect(queue.stdout).not.toContain(two.accountId);
    expect(queue.stdout).not.toContain(rectification.id);
  });

  it('completing a restriction stops orders; lift restores them', async () => {
    const customer = await fundedActor(t, 1000);
    const request = await fileRequest(ctxOf(t), { accountId: customer.accountId, type: 'restriction' });
    await otpbox('privacy', 'requests', 'complete', request.id, '--note', 'Restricted as you asked.');
    expect(code(await api(t, customer).order())).toBe('ACCOUNT_RESTRICTED');
    const lifted = await otpbox('privacy', 'requests', 'lift', request.id, '--reason', 'The customer asked.');
    expect(lifted).toMatchObject({ code: 0, stdout: `Processing of ${customer.accountId} is no longer restricted (${request.id}).\n` });
    expect((await api(t, customer).order()).statusCode).toBe(201);
    expect((await otpbox('privacy', 'requests', 'lift', request.id, '--reason', 'again')).code).not.toBe(0);
  });
});
