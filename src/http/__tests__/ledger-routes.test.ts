import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createActor, ctxOf } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { captureHold, grantCredits, holdCredits, releaseHold } from '../../modules/ledger/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const get = (actor: Actor, url: string) => t.app.inject({ method: 'GET', url, headers: { authorization: actor.bearer } });

describe('balance and statement', () => {
  it('GET /api/v1/me shows the available and held balance', async () => {
    const user = await createActor(t);
    expect((await get(user, '/api/v1/me')).json().balance).toEqual({ available: 0, held: 0, demo: { available: 0, held: 0 } });
    const ctx = ctxOf(t, 'cli');
    await grantCredits(ctx, { accountId: user.accountId, amount: 100, reason: 'Credits from the operator: welcome', idempotencyKey: 'g1' });
    await holdCredits(ctx, {
      accountId: user.accountId,
      amount: 30,
      reason: 'Telegram number +1…0123 reserved',
      idempotencyKey: 'h1',
      expiresAt: new Date(t.clock.now().getTime() + 1_200_000),
    });
    expect((await get(user, '/api/v1/me')).json().balance).toEqual({ available: 70, held: 30, demo: { available: 0, held: 0 } });
  });

  it('GET /api/v1/ledger/statement explains every change in plain words, newest first, paginated, only mine', async () => {
    const user = await createActor(t);
    const other = await createActor(t);
    const ctx = ctxOf(t, 'cli');
    const expiresAt = new Date(t.clock.now().getTime() + 1_200_000);
    await grantCredits(ctx, {
      accountId: user.accountId,
      amount: 100,
      reason: 'Credits from the operator: welcome',
      idempotencyKey: 's-g',
    });
    const a = await holdCredits(ctx, {
      accountId: user.accountId,
      amount: 30,
      reason: 'Telegram number +1…0123 reserved',
      idempotencyKey: 's-h1',
      expiresAt,
    });
    await captureHold(ctx, { holdId: a.transfer.id, reason: 'Telegram number +1…0123, code received', idempotencyKey: 's-c1' });
    const b = await holdCredits(ctx, {
      accountId: user.accountId,
      amount: 25,
      reason: 'WhatsApp number +62…4567 reserved',
      idempotencyKey: 's-h2',
      expiresAt,
    });
    await releaseHold(ctx, {
      holdId: b.transfer.id,
      reason: 'WhatsApp number +62…4567, no code: credits returned',
      idempotencyKey: 's-r2',
    });
    await grantCredits(ctx, { accountId: other.accountId, amount: 5, reason: 'not yours', idempotencyKey: 's-other' });

    const statement = (await get(user, '/api/v1/ledger/statement')).json();
    expect(
      statement.lines.map((l: { reason: string; change: object; balanceAfter: object }) => [l.reason, l.change, l.balanceAfter]),
    ).toEqual([
      ['WhatsApp number +62…4567, no code: credits returned', { available: 25, held: -25 }, { available: 70, held: 0 }],
      ['WhatsApp number +62…4567 reserved', { available: -25, held: 25 }, { available: 45, held: 25 }],
      ['Telegram number +1…0123, code received', { available: 0, held: -30 }, { available: 70, held: 0 }],
      ['Telegram number +1…0123 reserved', { available: -30, held: 30 }, { available: 70, held: 30 }],
      ['Credits from the operator: welcome', { available: 100, held: 0 }, { available: 100, held: 0 }],
    ]);
    expect(statement.nextCursor).toBeNull();
    const page = (await get(user, '/api/v1/ledger/statement?limit=2')).json();
    expect(page.lines).toHaveLength(2);
    const next = (await get(user, `/api/v1/ledger/statement?limit=2&before=${page.nextCursor}`)).json();
    expect(next.lines[0].reason).toBe('Telegram number +1…0123, code received');
    expect((await get(other, '/api/v1/ledger/statement')).json().lines.map((l: { reason: string }) => l.reason)).toEqual(['not yours']);
  });
});
