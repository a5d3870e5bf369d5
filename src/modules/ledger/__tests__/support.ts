import pino from 'pino';
import type { TestDatabase } from '../../../../test/support/database.ts';
import { testConfig } from '../../../config.ts';
import { accounts } from '../../../db/schema/index.ts';
import { ManualClock } from '../../../lib/clock.ts';
import { newId } from '../../../lib/ids.ts';
import { secretKeys } from '../../../lib/secrets.ts';
import type { Ctx } from '../../context.ts';

export const clock = new ManualClock('2026-12-01T10:00:00Z');

export const ledgerCtx = (database: TestDatabase, actor?: string): Ctx => ({
  db: database.db,
  clock,
  config: testConfig(),
  keys: secretKeys('ledger-test-secret-key-0123456789abcdef'),
  log: pino({ level: 'silent' }),
  actor,
});

/** A bare customer account row (the ledger only needs its id). */
export async function customer(database: TestDatabase): Promise<string> {
  const id = newId('acc');
  await database.db.insert(accounts).values({ id, kind: 'device', createdAt: clock.now(), updatedAt: clock.now() });
  return id;
}

let keys = 0;
export const key = (label = 'k') => `${label}:${++keys}:${Math.random().toString(36).slice(2)}`;
export const inAnHour = () => new Date(clock.now().getTime() + 3_600_000);
