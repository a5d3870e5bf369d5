import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { isDomainError } from '../../../lib/errors.ts';
import { balanceOf } from '../accounts.ts';
import { captureHold, grantCredits, holdCredits, releaseHold } from '../verbs.ts';
import { verifyLedger } from '../verify.ts';
import { clock, customer, inAnHour, ledgerCtx } from './support.ts';

/**
 * Model-based test (fast-check `commands`): random sequences of grant / hold / capture / release and
 * replays of earlier calls with the same idempotency key run against the real ledger and against a
 * few lines of in-memory bookkeeping. After every step both agree and `verify` passes.
 */
interface Model {
  accounts: string[];
  balances: Map<string, { posted: number; held: number }>;
  holds: { id: string; accountId: string; amount: number; state: 'open' | 'captured' | 'released' }[];
  /** Successful calls, to replay with their key. */
  done: { key: string; call: () => Promise<unknown>; expectId: string }[];
}
interface Real {
  database: TestDatabase;
}

let database: TestDatabase;
let run = 0;
let steps = 0;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

const ctx = () => ledgerCtx(database, 'model');
const available = (m: Model, accountId: string) => {
  const b = m.balances.get(accountId) ?? { posted: 0, held: 0 };
  return b.posted - b.held;
};

async function expectAgreement(model: Model) {
  for (const accountId of model.accounts) {
    const actual = await balanceOf(database.db, accountId);
    const expected = model.balances.get(accountId) ?? { posted: 0, held: 0 };
    expect({ posted: actual.posted, held: actual.held }).toEqual(expected);
  }
  const report = await verifyLedger(database.db, clock.now());
  expect(report.violations).toEqual([]);
}

class Grant implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly who: number,
    readonly amount: number,
  ) {}
  check = () => true;
  async run(m: Model) {
    const accountId = m.accounts[this.who % m.accounts.length] as string;
    const key = `grant:${run}:${m.done.length}:${Math.random()}`;
    const call = () => grantCredits(ctx(), { accountId, amount: this.amount, reason: 'model', idempotencyKey: key });
    const { transfer } = await call();
    const b = m.balances.get(accountId) ?? { posted: 0, held: 0 };
    m.balances.set(accountId, { ...b, posted: b.posted + this.amount });
    m.done.push({ key, call, expectId: transfer.id });
    await expectAgreement(m);
  }
  toString = () => `grant(${this.who}, ${this.amount})`;
}

class Hold implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly who: number,
    readonly amount: number,
  ) {}
  check = () => true;
  async run(m: Model) {
    const accountId = m.accounts[this.who % m.accounts.length] as string;
    const key = `hold:${run}:${m.done.length}:${Math.random()}`;
    const call = () => holdCredits(ctx(), { accountId, amount: this.amount, reason: 'model', idempotencyKey: key, expiresAt: inAnHour() });
    if (available(m, accountId) >= this.amount) {
      const { transfer } = await call();
      const b = m.balances.get(accountId) ?? { posted: 0, held: 0 };
      m.balances.set(accountId, { ...b, held: b.held + this.amount });
      m.holds.push({ id: transfer.id, accountId, amount: this.amount, state: 'open' });
      m.done.push({ key, call, expectId: transfer.id });
    } else {
      const error = await call().then(
        () => undefined,
        (e) => e,
      );
      expect(isDomainError(error) && error.code).toBe('INSUFFICIENT_CREDITS');
    }
    await expectAgreement(m);
  }
  toString = () => `hold(${this.who}, ${this.amount})`;
}

class Resolve implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly which: number,
    readonly kind: 'capture' | 'release',
    readonly fraction: number,
  ) {}
  check = (m: Readonly<Model>) => m.holds.length > 0;
  async run(m: Model) {
    const hold = m.holds[this.which % m.holds.length] as Model['holds'][number];
    const key = `${this.kind}:${run}:${m.done.length}:${Math.random()}`;
    const amount = Math.max(1, Math.ceil(hold.amount * this.fraction));
    const call = () =>
      this.kind === 'capture'
        ? captureHold(ctx(), { holdId: hold.id, amount, reason: 'model', idempotencyKey: key })
        : releaseHold(ctx(), { holdId: hold.id, reason: 'model', idempotencyKey: key });
    if (hold.state === 'open') {
      const { transfer } = await call();
      const b = m.balances.get(hold.accountId) ?? { posted: 0, held: 0 };
      m.balances.set(hold.accountId, { posted: b.posted - (this.kind === 'capture' ? amount : 0), held: b.held - hold.amount });
      hold.state = this.kind === 'capture' ? 'captured' : 'released';
      m.done.push({ key, call, expectId: transfer.id });
    } else {
      const error = await call().then(
        () => undefined,
        (e) => e,
      );
      expect(isDomainError(error) && error.code).toBe('HOLD_ALREADY_RESOLVED');
    }
    await expectAgreement(m);
  }
  toString = () => `${this.kind}(#${this.which}, ${this.fraction.toFixed(2)})`;
}

class Replay implements fc.AsyncCommand<Model, Real> {
  constructor(readonly which: number) {}
  check = (m: Readonly<Model>) => m.done.length > 0;
  async run(m: Model) {
    const earlier = m.done[this.which % m.done.length] as Model['done'][number];
    const again = (await earlier.call()) as { transfer: { id: string }; replayed: boolean };
    expect(again).toMatchObject({ replayed: true, transfer: { id: earlier.expectId } });
    await expectAgreement(m);
  }
  toString = () => `replay(#${this.which})`;
}

const commands = [
  fc.tuple(fc.nat(2), fc.integer({ min: 1, max: 500 })).map(([w, a]) => new Grant(w, a)),
  fc.tuple(fc.nat(2), fc.integer({ min: 1, max: 300 })).map(([w, a]) => new Hold(w, a)),
  fc
    .tuple(fc.nat(20), fc.constantFrom<'capture' | 'release'>('capture', 'release'), fc.double({ min: 0.01, max: 1, noNaN: true }))
    .map(([which, kind, fraction]) => new Resolve(which, kind, fraction)),
  fc.nat(30).map((which) => new Replay(which)),
];

describe('ledger against a model', () => {
  it('agrees with the model and passes verify after every step of random sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (cmds) => {
        run++;
        const model: Model = {
          accounts: [await customer(database), await customer(database), await customer(database)],
          balances: new Map(),
          holds: [],
          done: [],
        };
        await fc.asyncModelRun(() => ({ model, real: { database } }), cmds);
        steps += [...cmds].length;
      }),
      { numRuns: 30 },
    );
    // The sequences really exercised the ledger (not just skipped commands whose precondition failed).
    expect(steps).toBeGreaterThan(100);
  }, 240_000);
});
