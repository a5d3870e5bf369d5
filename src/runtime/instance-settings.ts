import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { instanceSettings } from '../db/schema/index.ts';
import type { Clock } from '../lib/clock.ts';
import type { SecretKeys } from '../lib/secrets.ts';

export class SecretKeyMismatchError extends Error {
  override name = 'SecretKeyMismatchError';
  constructor() {
    super(
      'SECRET_KEY differs from the key this database was first started with. Keyed hashes and encrypted ' +
        'provider credentials would no longer match, so otpbox refuses to start. Use the original key ' +
        '(DATA_DIR/secret.key or the SECRET_KEY of the other instances).',
    );
  }
}

/**
 * The first instance records a fingerprint of its SECRET_KEY; every later start must present the same
 * key. This catches a second instance on the same PostgreSQL that generated its own key.
 */
export async function checkSecretKey(db: Db, keys: SecretKeys, clock: Clock): Promise<'recorded' | 'matched'> {
  const fingerprint = keys.fingerprint();
  const inserted = await db
    .insert(instanceSettings)
    .values({ key: 'secret_key_fingerprint', value: fingerprint, updatedAt: clock.now() })
    .onConflictDoNothing()
    .returning({ key: instanceSettings.key });
  if (inserted.length === 1) return 'recorded';
  const [row] = await db.select().from(instanceSettings).where(eq(instanceSettings.key, 'secret_key_fingerprint'));
  if (row?.value !== fingerprint) throw new SecretKeyMismatchError();
  return 'matched';
}
