import { and, asc, eq, gt, isNotNull, isNull, sql } from 'drizzle-orm';
import { activations, instanceSettings } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { type AccountKey, phoneLookupHash, readAccountKeys, SealedValueError } from '../keyring/index.ts';

/** The instance setting that records that every order with a number has its keyed hash. */
export const NUMBERS_HASHED_SETTING = 'order_numbers_hashed';
const DONE = 1;
const BATCH = 500;

export interface HashNumbersOptions {
  /** Stop between batches once this says so (a start-up's time budget, a shutdown); what is done stays done. */
  stop?: () => boolean;
  batch?: number;
}

/**
 * The data migration of migration 0023 (ADR 32), run at start-up after the sealing of ADR 28: orders
 * that got their number before `activations.phone_hash` existed have none, so staff could not find
 * them by the rented number. Each one's number is opened under its account's key and its keyed hash
 * written, in batches of 500 by id, each batch one statement that only fills a hash still empty (an
 * order bought meanwhile already has its own). When no order is left without one, an instance
 * setting records it and later starts skip the step. Running it again, or on two instances at once,
 * changes nothing more. An erased account's numbers cannot be opened any more and stay without one.
 */
export async function hashExistingNumbers(ctx: Ctx, options: HashNumbersOptions = {}): Promise<{ hashed: number; done: boolean }> {
  const [marker] = await ctx.db.select().from(instanceSettings).where(eq(instanceSettings.key, NUMBERS_HASHED_SETTING));
  if (marker?.value === DONE) return { hashed: 0, done: true };
  const batch = options.batch ?? BATCH;
  let after = '';
  let hashed = 0;
  for (;;) {
    if (options.stop?.()) return { hashed, done: false };
    const rows = await ctx.db
      .select({ id: activations.id, accountId: activations.accountId, phone: activations.phone })
      .from(activations)
      .where(and(gt(activations.id, after), isNull(activations.phoneHash), isNotNull(activations.phone)))
      .orderBy(asc(activations.id))
      .limit(batch);
    if (rows.length === 0) break;
    after = rows[rows.length - 1]?.id as string;
    const keys = await readAccountKeys(
      ctx,
      rows.map((row) => row.accountId),
    );
    const values = rows.flatMap((row) => {
      const number = opened(keys.get(row.accountId), row.id, row.phone);
      return number === undefined ? [] : [sql`(${row.id}, ${phoneLookupHash(ctx.keys, number)})`];
    });
    if (values.length === 0) continue;
    await ctx.db.execute(
      sql`update activations set phone_hash = v.hash from (values ${sql.join(values, sql`, `)}) as v(id, hash)
          where activations.id = v.id and activations.phone_hash is null`,
    );
    hashed += values.length;
  }
  const now = ctx.clock.now();
  await ctx.db
    .insert(instanceSettings)
    .values({ key: NUMBERS_HASHED_SETTING, value: DONE, updatedAt: now })
    .onConflictDoUpdate({ target: instanceSettings.key, set: { value: DONE, updatedAt: now } });
  return { hashed, done: true };
}

/** The order's number, or undefined when it cannot be opened (the key destroyed by erasure, a value that does not open). */
function opened(key: AccountKey | undefined, orderId: string, sealed: string | null): string | undefined {
  if (!key || sealed === null) return undefined;
  try {
    return key.open('activations.phone', orderId, sealed);
  } catch (error) {
    if (error instanceof SealedValueError) return undefined;
    throw error;
  }
}
