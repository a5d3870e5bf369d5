import pino from 'pino';
import type { TestDatabase } from '../../../../test/support/database.ts';
import { testConfig } from '../../../config.ts';
import { accounts, type PackageInterval } from '../../../db/schema/index.ts';
import { ManualClock } from '../../../lib/clock.ts';
import { newId } from '../../../lib/ids.ts';
import { secretKeys } from '../../../lib/secrets.ts';
import type { Ctx } from '../../context.ts';
import { createPayment } from '../create-payment.ts';
import { addPackage } from '../packages.ts';
import type { PackageRow } from '../view.ts';

export const clock = new ManualClock('2026-12-01T10:00:00Z');

export const paymentsCtx = (database: TestDatabase, actor?: string): Ctx => ({
  db: database.db,
  clock,
  config: testConfig(),
  keys: secretKeys('payments-test-secret-key-0123456789abcdef'),
  log: pino({ level: 'silent' }),
  actor,
});

/** A bare customer account row. */
export async function customer(database: TestDatabase): Promise<string> {
  const id = newId('acc');
  await database.db.insert(accounts).values({ id, kind: 'device', createdAt: clock.now(), updatedAt: clock.now() });
  return id;
}

let packages = 0;
/** A package on sale: 300 credits for 10.00 USD unless told otherwise. */
export function aPackage(
  ctx: Ctx,
  input: { credits?: number; priceMinor?: number; currency?: string; interval?: PackageInterval } = {},
): Promise<PackageRow> {
  return addPackage(ctx, {
    code: `pack-${++packages}-${Math.random().toString(36).slice(2, 8)}`,
    credits: input.credits ?? 300,
    priceMinor: input.priceMinor ?? 1000,
    currency: input.currency ?? 'USD',
    interval: input.interval,
  });
}

/** A card payment of `pkg` by the account, known to Stripe as `ref`. */
export async function aPayment(ctx: Ctx, accountId: string, pkg: PackageRow, ref = `cs_test_${Math.random().toString(36).slice(2)}`) {
  const { payment } = await createPayment(ctx, { accountId, pkg, method: 'card', processor: 'stripe', processorRef: ref });
  return payment;
}
