import pino from 'pino';
import { testConfig } from '../../src/config.ts';
import { accounts } from '../../src/db/schema/index.ts';
import type { Clock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { secretKeys } from '../../src/lib/secrets.ts';
import type { Ctx } from '../../src/modules/context.ts';
import type { TestDatabase } from './database.ts';

/** A module's context for tests that call its functions directly: the test's database and clock, silent logs. */
export const moduleCtx = (database: TestDatabase, clock: Clock, actor?: string): Ctx => ({
  db: database.db,
  clock,
  config: testConfig(),
  keys: secretKeys('module-test-secret-key-0123456789abcdef'),
  log: pino({ level: 'silent' }),
  actor,
});

/** A bare customer account row (for modules that only need its id). */
export async function bareCustomer(database: TestDatabase, clock: Clock): Promise<string> {
  const id = newId('acc');
  await database.db.insert(accounts).values({ id, kind: 'device', createdAt: clock.now(), updatedAt: clock.now() });
  return id;
}
