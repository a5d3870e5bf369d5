// A process that connects an upstream provider, funds a customer and orders a number, printing
// `account <id>` before it orders. The provider (a fake in slow mode) sells the number and answers
// late: the test kills this process with -9 while the purchase is in flight, between the upstream
// buy and our commit.

import pino from 'pino';
import { testConfig } from '../../src/config.ts';
import { type Database, openPglite, openPostgres } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { accounts } from '../../src/db/schema/index.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { secretKeys } from '../../src/lib/secrets.ts';
import { createActivation } from '../../src/modules/activations/index.ts';
import { grantCredits } from '../../src/modules/ledger/index.ts';
import { addProvider } from '../../src/modules/providers/index.ts';
import { acquireDataDirLock } from '../../src/runtime/data-dir-lock.ts';
import { startOrderServices } from '../../src/runtime/order-services.ts';

const [target = '', baseUrl = '', apiKey = ''] = process.argv.slice(2);
const database: Database = target.startsWith('postgres')
  ? await openPostgres({ url: target, poolMax: 4, timeoutMs: 10_000 })
  : await openPglite({ ownership: await acquireDataDirLock(target), timeoutMs: 30_000 });
await migrateDatabase(database);
const config = testConfig({ PROVIDER_TIMEOUT_MS: '60000', SANDBOX: 'off' });
const log = pino({ level: 'silent' });
const ctx = { db: database.db, clock: systemClock, config, keys: secretKeys('c'.repeat(40)), log };
await addProvider({ ...ctx, actor: 'cli' }, { kind: 'sms-activate', name: 'alpha', baseUrl, apiKey });
const orders = await startOrderServices({ ...ctx, database });
await orders.providers.syncAll(systemClock.now());
await orders.providers.reload('offers');

const accountId = newId('acc');
const now = new Date();
await database.db.insert(accounts).values({ id: accountId, kind: 'device', createdAt: now, updatedAt: now });
await grantCredits(ctx, { accountId, amount: 1_000, reason: 'crash test', idempotencyKey: `crash:${accountId}` });
process.stdout.write(`account ${accountId}\n`);
await createActivation(ctx, orders.activations, { accountId, service: 'tg', country: 'US' });
process.stdout.write('bought (the test should have killed this process first)\n');
