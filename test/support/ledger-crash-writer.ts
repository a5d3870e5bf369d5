// A process that moves credits as fast as it can (holds, captures, releases, grants) with several in
// flight, printing each operation once it committed: `<kind> <transfer id>`. A test kills it with -9.

import pino from 'pino';
import { testConfig } from '../../src/config.ts';
import { type Database, openPglite, openPostgres } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { accounts } from '../../src/db/schema/index.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { secretKeys } from '../../src/lib/secrets.ts';
import { captureHold, grantCredits, holdCredits, releaseHold } from '../../src/modules/ledger/index.ts';
import { acquireDataDirLock } from '../../src/runtime/data-dir-lock.ts';

const target = process.argv[2] ?? '';
const database: Database = target.startsWith('postgres')
  ? await openPostgres({ url: target, poolMax: 8, timeoutMs: 10_000 })
  : await openPglite({ ownership: await acquireDataDirLock(target), timeoutMs: 30_000 });
await migrateDatabase(database);
const ctx = { db: database.db, clock: systemClock, config: testConfig(), keys: secretKeys('w'.repeat(40)), log: pino({ level: 'silent' }) };
const accountId = newId('acc');
const now = new Date();
await database.db.insert(accounts).values({ id: accountId, kind: 'device', createdAt: now, updatedAt: now });
const say = (line: string) => process.stdout.write(`${line}\n`);
const grant = await grantCredits(ctx, { accountId, amount: 1_000_000, reason: 'crash test', idempotencyKey: `crash:${accountId}:grant` });
say(`grant ${grant.transfer.id}`);

async function worker(w: number) {
  for (let i = 0; ; i++) {
    const expiresAt = new Date(Date.now() + 3_600_000);
    const { transfer } = await holdCredits(ctx, {
      accountId,
      amount: 3,
      reason: 'crash test',
      idempotencyKey: `crash:${accountId}:${w}:${i}:hold`,
      expiresAt,
    });
    say(`hold ${transfer.id}`);
    const resolved =
      i % 2 === 0
        ? await captureHold(ctx, { holdId: transfer.id, reason: 'crash test', idempotencyKey: `crash:${accountId}:${w}:${i}:capture` })
        : await releaseHold(ctx, { holdId: transfer.id, reason: 'crash test', idempotencyKey: `crash:${accountId}:${w}:${i}:release` });
    say(`${resolved.transfer.kind} ${resolved.transfer.id}`);
  }
}
await Promise.all([0, 1, 2, 3].map(worker));
