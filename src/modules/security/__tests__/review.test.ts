import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { currentLockouts, searchAuditLog } from '../index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

describe('current lockouts', () => {
  it('lists a sign-in name the throttle blocked after repeated wrong passwords, until the block ends', async () => {
    const ctx = ctxOf(t);
    for (let i = 0; i < 10; i++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'guessed@example.com', password: `wrong ${i}` },
        remoteAddress: '198.51.100.77',
      });
      expect(response.statusCode).toBe(401);
    }
    const blocked = (await currentLockouts(ctx)).filter((l) => l.kind === 'login');
    expect(blocked).toEqual([expect.objectContaining({ kind: 'login', accountId: null, failures: 10 })]);
    expect(blocked[0]?.blockedUntil.getTime()).toBe(t.clock.now().getTime() + 60_000);
    // Only a short hash of the key (itself a keyed hash of the address) leaves.
    expect(blocked[0]?.ref).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(blocked)).not.toContain('guessed');

    t.clock.advance(61_000);
    expect((await currentLockouts(ctx)).filter((l) => l.kind === 'login')).toEqual([]);
  });

  it('names keys of a kind it does not know as other', async () => {
    const now = t.clock.now();
    await t.database.db.execute(sql`insert into auth_throttles (key, failures, window_started_at, blocked_until, updated_at)
      values ('future-kind:abc', 3, ${now.toISOString()}, ${new Date(now.getTime() + 60_000).toISOString()}, ${now.toISOString()})`);
    expect((await currentLockouts(ctxOf(t))).map((l) => l.kind)).toContain('other');
  });
});

describe('audit log', () => {
  it('gives the reason of an action from its details, and pages newest first by id', async () => {
    await t.database.db.execute(sql`insert into audit_log (id, actor, action, account_id, details, occurred_at) values
      ('aud_t_1', 'cli', 'x.one', null, '{"reason": 42}', '2031-01-01T00:00:00Z'),
      ('aud_t_2', 'cli', 'x.two', null, '{"reason": "because"}', '2031-01-02T00:00:00Z'),
      ('aud_t_3', 'cli', 'x.three', null, null, '2031-01-03T00:00:00Z')`);
    const rows = await searchAuditLog(ctxOf(t), { actor: 'cli', limit: 2 });
    // limit + 1 rows: the caller learns that another page exists.
    expect(rows.map((r) => [r.id, r.reason])).toEqual([
      ['aud_t_3', null],
      ['aud_t_2', 'because'],
      ['aud_t_1', null],
    ]);
    expect((await searchAuditLog(ctxOf(t), { actor: 'cli', before: 'aud_t_2', limit: 5 })).map((r) => r.id)).toEqual(['aud_t_1']);
  });
});
