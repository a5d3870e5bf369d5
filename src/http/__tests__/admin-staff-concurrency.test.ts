import { and, eq, notInArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, asActor, createActor } from '../../../test/support/actors.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { onPostgres } from '../../../test/support/database.ts';
import { accounts, staffFactors } from '../../db/schema/index.ts';

// Two admins acting on each other at the same instant, on separate connections: the last-enrolled-admin
// check locks every admin row first, so the second sees the first's change and refuses.
describe.skipIf(!onPostgres())('the last enrolled admin under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  let first: Actor;
  let second: Actor;
  beforeAll(async () => {
    t = await createTestApp();
    first = await createActor(t, 'admin');
    second = await createActor(t, 'admin');
  });
  afterAll(() => t?.close());

  const post = (by: Actor, url: string, body: unknown) =>
    t.app.inject({ method: 'POST', url, headers: { ...asActor(by), 'content-type': 'application/json' }, payload: JSON.stringify(body) });

  /** The admins with a second factor, active. */
  const enrolledAdmins = () =>
    t.database.db
      .select({ id: accounts.id })
      .from(accounts)
      .innerJoin(staffFactors, eq(staffFactors.accountId, accounts.id))
      .where(and(eq(accounts.role, 'admin'), eq(accounts.status, 'active')));
  /**
   * One change wins; the other is refused by the check (409), or, when the winner ended its session
   * before its request was even authenticated, by the sign-in check (401).
   */
  const expectOneWinner = (statuses: number[]) => {
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect([409, 401]).toContain(statuses.find((status) => status !== 200));
  };

  it('two admins resetting each other at once: one succeeds, the other is refused', async () => {
    const answers = await Promise.all([
      post(first, `/api/v1/admin/staff/${second.accountId}/reset-second-factor`, { reason: 'race one' }),
      post(second, `/api/v1/admin/staff/${first.accountId}/reset-second-factor`, { reason: 'race two' }),
    ]);
    expectOneWinner(answers.map((answer) => answer.statusCode));
    expect(await enrolledAdmins()).toHaveLength(1);
  });

  it('an admin demoting the other while being reset by them: one wins, an enrolled admin remains', async () => {
    const third = await createActor(t, 'admin');
    const fourth = await createActor(t, 'admin');
    // Only these two have a factor now.
    const others = await t.database.db
      .select({ id: accounts.id })
      .from(accounts)
      .where(and(eq(accounts.role, 'admin'), notInArray(accounts.id, [third.accountId, fourth.accountId])));
    for (const row of others) await t.database.db.delete(staffFactors).where(eq(staffFactors.accountId, row.id));
    const answers = await Promise.all([
      post(third, `/api/v1/admin/accounts/${fourth.accountId}/role`, { role: 'support', reason: 'race three' }),
      post(fourth, `/api/v1/admin/staff/${third.accountId}/reset-second-factor`, { reason: 'race four' }),
    ]);
    expectOneWinner(answers.map((answer) => answer.statusCode));
    expect(await enrolledAdmins()).toHaveLength(1);
  });
});
