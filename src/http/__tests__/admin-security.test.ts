import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asActor, createActor, GOOD_PASSWORD, uniqueIp } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { auditLog, authThrottles, staffAccessLog } from '../../db/schema/index.ts';
import { lockoutRef } from '../../modules/security/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });

async function readsOf(accountId: string) {
  return t.database.db
    .select()
    .from(staffAccessLog)
    .where(and(eq(staffAccessLog.accountId, accountId)));
}

describe('GET /api/v1/admin/security/events', () => {
  it('lists events across accounts newest first, by type, account and period, paged; one account’s events are a logged staff read', async () => {
    const admin = await createActor(t, 'admin');
    const alice = await createActor(t, 'customer');
    const bob = await createActor(t, 'customer');
    await t.database.db.execute(sql`insert into security_events (id, account_id, actor, type, occurred_at, ip_prefix, user_agent, details) values
      ('sev_zzzzzzzzzzzzzzzzzzzzzzzzz1', ${alice.accountId}, null, 'login_failed', '2031-03-01T10:00:00Z', '203.0.113.0/24', 'Firefox', null),
      ('sev_zzzzzzzzzzzzzzzzzzzzzzzzz2', ${bob.accountId}, null, 'login_failed', '2031-03-02T10:00:00Z', '198.51.100.0/24', 'Chrome', null),
      ('sev_zzzzzzzzzzzzzzzzzzzzzzzzz3', ${alice.accountId}, ${admin.accountId}, 'account_suspended', '2031-03-03T10:00:00Z', null, null, '{"reason":"fraud"}')`);

    const period = 'from=2031-03-01T00:00:00Z&to=2031-03-04T00:00:00Z';
    const all = await get(`/api/v1/admin/security/events?${period}`, asActor(admin));
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().events.map((e: { id: string }) => e.id)).toEqual([
      'sev_zzzzzzzzzzzzzzzzzzzzzzzzz3',
      'sev_zzzzzzzzzzzzzzzzzzzzzzzzz2',
      'sev_zzzzzzzzzzzzzzzzzzzzzzzzz1',
    ]);
    expect(all.json().events[0]).toMatchObject({
      accountId: alice.accountId,
      actor: admin.accountId,
      type: 'account_suspended',
      occurredAt: '2031-03-03T10:00:00.000Z',
      details: { reason: 'fraud' },
    });
    // Across accounts: each account the page shows sees the read (its networks and browsers were on it).
    for (const shown of [alice, bob]) {
      expect(await readsOf(shown.accountId)).toEqual([
        expect.objectContaining({ staffAccountId: admin.accountId, what: 'account.security_events' }),
      ]);
    }
    // A mistyped filter is refused, never read as "every account".
    const typo = await get(`/api/v1/admin/security/events?account=${alice.accountId}`, asActor(admin));
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error.code).toBe('VALIDATION_FAILED');
    await t.database.db.delete(staffAccessLog).where(eq(staffAccessLog.accountId, alice.accountId));

    const failed = (await get(`/api/v1/admin/security/events?${period}&type=login_failed`, asActor(admin))).json();
    expect(failed.events.map((e: { id: string }) => e.id)).toEqual(['sev_zzzzzzzzzzzzzzzzzzzzzzzzz2', 'sev_zzzzzzzzzzzzzzzzzzzzzzzzz1']);
    const early = (await get('/api/v1/admin/security/events?from=2031-03-01T00:00:00Z&to=2031-03-02T00:00:00Z', asActor(admin))).json();
    expect(early.events.map((e: { id: string }) => e.id)).toEqual(['sev_zzzzzzzzzzzzzzzzzzzzzzzzz1']);

    const first = (await get(`/api/v1/admin/security/events?${period}&limit=2`, asActor(admin))).json();
    expect(first.events).toHaveLength(2);
    expect(first.nextCursor).toBe('sev_zzzzzzzzzzzzzzzzzzzzzzzzz2');
    const second = (await get(`/api/v1/admin/security/events?${period}&limit=2&cursor=${first.nextCursor}`, asActor(admin))).json();
    expect(second).toEqual({ events: [expect.objectContaining({ id: 'sev_zzzzzzzzzzzzzzzzzzzzzzzzz1' })], nextCursor: null });

    const mine = await get(`/api/v1/admin/security/events?accountId=${alice.accountId}&${period}`, {
      ...asActor(admin),
      'x-access-reason': 'fraud review',
    });
    expect(mine.json().events.map((e: { id: string }) => e.id)).toEqual([
      'sev_zzzzzzzzzzzzzzzzzzzzzzzzz3',
      'sev_zzzzzzzzzzzzzzzzzzzzzzzzz1',
    ]);
    // The other reads since (filtered by type or period) logged theirs; the filtered one is the newest.
    expect((await readsOf(alice.accountId)).filter((read) => read.reason !== null)).toEqual([
      expect.objectContaining({
        staffAccountId: admin.accountId,
        staffRole: 'admin',
        what: 'account.security_events',
        reason: 'fraud review',
      }),
    ]);
  });

  it('refuses support staff, an unknown account and a backwards period', async () => {
    const support = await createActor(t, 'support');
    const admin = await createActor(t, 'admin');
    expect((await get('/api/v1/admin/security/events', asActor(support))).statusCode).toBe(403);
    const unknown = await get('/api/v1/admin/security/events?accountId=acc_nobody', asActor(admin));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
    const backwards = await get('/api/v1/admin/security/events?from=2031-03-02T00:00:00Z&to=2031-03-01T00:00:00Z', asActor(admin));
    expect(backwards.statusCode).toBe(400);
    expect((await get('/api/v1/admin/security/events?type=not_a_type', asActor(admin))).statusCode).toBe(400);
  });
});

describe('GET /api/v1/admin/security/lockouts', () => {
  it('lists what the throttles block now, newest block first, with a short reference instead of the key', async () => {
    const admin = await createActor(t, 'admin');
    const staffer = await createActor(t, 'support');
    const now = t.clock.now().getTime();
    const at = (ms: number) => new Date(now + ms).toISOString();
    await t.database.db.execute(sql`insert into auth_throttles (key, failures, window_started_at, blocked_until, updated_at) values
      ('login:0123456789abcdef0123456789abcdef', 12, ${at(-60_000)}, ${at(120_000)}, ${at(-1_000)}),
      ('ip:fedcba9876543210', 50, ${at(-600_000)}, ${at(300_000)}, ${at(-2_000)}),
      (${`totp:${staffer.accountId}`}, 6, ${at(-60_000)}, ${at(60_000)}, ${at(-3_000)}),
      ('device:past-block', 11, ${at(-3_600_000)}, ${at(-60_000)}, ${at(-3_600_000)}),
      ('login:not-blocked', 3, ${at(-60_000)}, null, ${at(-60_000)})`);
    const response = await get('/api/v1/admin/security/lockouts', asActor(admin));
    expect(response.statusCode, response.body).toBe(200);
    const lockouts = response.json().lockouts as { kind: string; accountId: string | null; ref: string; failures: number }[];
    expect(lockouts.map((l) => [l.kind, l.failures, l.accountId])).toEqual([
      ['ip', 50, null],
      ['login', 12, null],
      ['totp', 6, staffer.accountId],
    ]);
    expect(lockouts.every((l) => /^[0-9a-f]{12}$/.test(l.ref))).toBe(true);
    expect(response.body).not.toContain('0123456789abcdef');
    expect(response.body).not.toContain('fedcba9876543210');
    expect((await get('/api/v1/admin/security/lockouts', asActor(staffer))).statusCode).toBe(403);
  });
});

describe('POST /api/v1/admin/security/lockouts/{ref}/lift', () => {
  type LockoutRow = { kind: string; accountId: string | null; ref: string; failures: number; blockedUntil: string };
  const lockouts = async (headers: Record<string, string>) =>
    (await get('/api/v1/admin/security/lockouts', headers)).json().lockouts as LockoutRow[];
  const lift = (ref: string, headers: Record<string, string>, body: unknown = { reason: 'the customer proved who they are' }) =>
    t.app.inject({ method: 'POST', url: `/api/v1/admin/security/lockouts/${ref}/lift`, headers, payload: body as object });

  it('lets a locked-out name sign in again at once, audited with the reason; the block is gone from the list', async () => {
    const admin = await createActor(t, 'admin');
    const customer = await createActor(t, 'customer');
    const before = new Set((await lockouts(asActor(admin))).map((l) => l.ref));
    const login = (password: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: customer.email, password }, remoteAddress: uniqueIp() });
    for (let i = 0; i < 10; i++) await login('not the password at all');
    expect((await login(GOOD_PASSWORD)).statusCode).toBe(429);
    const blocked = (await lockouts(asActor(admin))).filter((l) => !before.has(l.ref));
    expect(blocked.map((l) => [l.kind, l.failures])).toEqual([['login', 10]]);
    const ref = (blocked[0] as LockoutRow).ref;

    const lifted = await lift(ref, asActor(admin));
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(lifted.json().lockout).toMatchObject({ kind: 'login', ref, failures: 10, accountId: null });
    expect((await lockouts(asActor(admin))).map((l) => l.ref)).not.toContain(ref);
    expect((await login(GOOD_PASSWORD)).statusCode).toBe(200);

    const [entry] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'security.lockout_lifted'), sql`${auditLog.details}->>'ref' = ${ref}`));
    expect(entry).toMatchObject({ actor: admin.accountId, accountId: null });
    expect(entry?.details).toMatchObject({ reason: 'the customer proved who they are', kind: 'login', failures: 10, role: 'admin' });
    // Lifted once: the same reference names nothing now.
    const again = await lift(ref, asActor(admin));
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('NOT_FOUND');
  });

  it('names the account of a second factor’s block in the audit row; refuses what is not blocked now, a bad reference or reason, and support staff', async () => {
    const admin = await createActor(t, 'admin');
    const staffer = await createActor(t, 'support');
    const now = t.clock.now().getTime();
    const at = (ms: number) => new Date(now + ms).toISOString();
    await t.database.db.execute(sql`insert into auth_throttles (key, failures, window_started_at, blocked_until, updated_at) values
      (${`totp:${staffer.accountId}`}, 7, ${at(-60_000)}, ${at(60_000)}, ${at(-3_000)}),
      ('device:lift-ran-out', 11, ${at(-3_600_000)}, ${at(-60_000)}, ${at(-3_600_000)})`);
    const totp = (await lockouts(asActor(admin))).find((l) => l.accountId === staffer.accountId) as LockoutRow;
    expect(totp).toMatchObject({ kind: 'totp', failures: 7 });

    expect((await lift(totp.ref, asActor(staffer))).statusCode).toBe(403);
    const noReason = await lift(totp.ref, asActor(admin), {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.code).toBe('VALIDATION_FAILED');
    expect((await lift(totp.ref, asActor(admin), { reason: 'no' })).statusCode).toBe(400);
    const badRef = await lift('not-a-ref', asActor(admin));
    expect(badRef.statusCode).toBe(400);
    expect(badRef.json().error.code).toBe('VALIDATION_FAILED');
    // A block that ran out is not a lockout: nothing to lift, and its record stays.
    expect((await lift(lockoutRef('device:lift-ran-out'), asActor(admin))).statusCode).toBe(404);
    expect(await t.database.db.select().from(authThrottles).where(eq(authThrottles.key, 'device:lift-ran-out'))).toHaveLength(1);

    const lifted = await lift(totp.ref, asActor(admin), { reason: 'enrolled again with support on the phone' });
    expect(lifted.statusCode, lifted.body).toBe(200);
    const [entry] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'security.lockout_lifted'), eq(auditLog.accountId, staffer.accountId)));
    expect(entry?.details).toMatchObject({ kind: 'totp', ref: totp.ref, reason: 'enrolled again with support on the phone' });
  });
});

describe('GET /api/v1/admin/security/audit', () => {
  it('lists what staff did, with who, when and why; by action, actor and account (a logged staff read)', async () => {
    const admin = await createActor(t, 'admin');
    const customer = await createActor(t, 'customer');
    await t.database.db.execute(sql`insert into audit_log (id, actor, action, account_id, details, occurred_at) values
      ('aud_zz_matrix_1', ${admin.accountId}, 'credits.granted', ${customer.accountId}, '{"amount":500,"reason":"goodwill after outage"}', '2031-03-01T10:00:00Z'),
      ('aud_zz_matrix_2', 'cli', 'provider.added', null, '{"provider":"fivesim"}', '2031-03-02T10:00:00Z')`);
    const all = await get('/api/v1/admin/security/audit?limit=100', asActor(admin));
    expect(all.statusCode, all.body).toBe(200);
    const ids = all.json().entries.map((e: { id: string }) => e.id);
    expect(ids.indexOf('aud_zz_matrix_2')).toBeLessThan(ids.indexOf('aud_zz_matrix_1'));

    const granted = (await get('/api/v1/admin/security/audit?action=credits.granted', asActor(admin))).json();
    expect(granted.entries).toEqual([
      expect.objectContaining({
        id: 'aud_zz_matrix_1',
        actor: admin.accountId,
        accountId: customer.accountId,
        reason: 'goodwill after outage',
        occurredAt: '2031-03-01T10:00:00.000Z',
      }),
    ]);
    const byCli = (await get('/api/v1/admin/security/audit?actor=cli', asActor(admin))).json();
    expect(byCli.entries.map((e: { id: string; reason: string | null }) => [e.id, e.reason])).toContainEqual(['aud_zz_matrix_2', null]);

    // The lists across accounts showed the customer's entry: each of those reads is the customer's to see.
    const listed = await readsOf(customer.accountId);
    expect(listed.length).toBeGreaterThanOrEqual(2);
    for (const read of listed) expect(read).toMatchObject({ what: 'account.audit_log', reason: null, staffAccountId: admin.accountId });
    const theirs = (await get(`/api/v1/admin/security/audit?accountId=${customer.accountId}&reason=complaint`, asActor(admin))).json();
    expect(theirs.entries.map((e: { id: string }) => e.id)).toEqual(['aud_zz_matrix_1']);
    expect((await readsOf(customer.accountId)).filter((read) => read.reason !== null)).toEqual([
      expect.objectContaining({ what: 'account.audit_log', reason: 'complaint', staffAccountId: admin.accountId }),
    ]);
    expect((await get('/api/v1/admin/security/audit?acount=x', asActor(admin))).statusCode).toBe(400);
    expect((await get('/api/v1/admin/security/audit', asActor(await createActor(t, 'support')))).statusCode).toBe(403);
  });
});
