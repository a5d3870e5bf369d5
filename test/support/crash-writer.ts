// Opens a data folder the way otpbox does and commits rows as fast as it can, printing the key of each
// row once its commit returned. A test kills it with SIGKILL mid-write and checks every printed row.
import { openPglite } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { instanceSettings } from '../../src/db/schema/index.ts';
import { acquireDataDirLock } from '../../src/runtime/data-dir-lock.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: crash-writer <dataDir>');
const lock = await acquireDataDirLock(dataDir);
const database = await openPglite({ ownership: lock, timeoutMs: 30_000 });
await migrateDatabase(database);
for (let i = 0; ; i++) {
  const key = `crash-test-${i}`;
  await database.db.insert(instanceSettings).values({ key, value: { i, padding: 'x'.repeat(200) }, updatedAt: new Date() });
  process.stdout.write(`${key}\n`);
}
