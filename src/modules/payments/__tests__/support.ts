import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { TestDatabase } from '../../../../test/support/database.ts';
import { bareCustomer, moduleCtx } from '../../../../test/support/module-ctx.ts';
import { accounts, type PackageInterval } from '../../../db/schema/index.ts';
import { ManualClock } from '../../../lib/clock.ts';
import type { Ctx } from '../../context.ts';
import { createPayment } from '../create-payment.ts';
import { addPackage } from '../packages.ts';
import type { PackageRow } from '../view.ts';

export const clock = new ManualClock('2026-12-01T10:00:00Z');

export const paymentsCtx = (database: TestDatabase, actor?: string): Ctx => moduleCtx(database, clock, actor);

/** A bare customer account row. */
export const customer = (database: TestDatabase): Promise<string> => bareCustomer(database, clock);

/** What erasure leaves of an account row (ADR 27): its id, marked deleted, with a pseudonym. */
export async function markErased(database: TestDatabase, accountId: string): Promise<void> {
  await database.db
    .update(accounts)
    .set({ status: 'deleted', deletedAt: clock.now(), pseudonym: `deleted:${randomUUID()}` })
    .where(eq(accounts.id, accountId));
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
