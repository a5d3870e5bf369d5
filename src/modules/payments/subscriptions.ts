import { desc, eq, getTableColumns } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { creditPackages, type PaymentMethod, payments, type SubscriptionStatus, subscriptions } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';
import type { Subscription as StripeSubscription } from '../../payment-clients/stripe/port.ts';
import type { Ctx } from '../context.ts';
import type { PaymentSubscriptionView } from './schemas.ts';
import type { PaymentRow } from './view.ts';

export type SubscriptionRow = typeof subscriptions.$inferSelect;

/** Stripe's subscription statuses in ours. */
export function subscriptionStatusOf(stripeStatus: string): SubscriptionStatus {
  switch (stripeStatus) {
    case 'active':
    case 'trialing':
      return 'active';
    case 'past_due':
    case 'unpaid':
      return 'past_due';
    case 'paused':
      return 'paused';
    case 'incomplete':
      return 'incomplete';
    default:
      return 'cancelled';
  }
}

/**
 * Record a subscription as Stripe last described it (read back from Stripe, never from the event),
 * for the customer of the checkout payment that started it. One row per Stripe subscription: a later
 * description replaces the earlier one. Returns the row's id.
 */
export async function syncStripeSubscription(ctx: Ctx, first: PaymentRow, subscription: StripeSubscription): Promise<string> {
  const now = ctx.clock.now();
  const values = {
    status: subscriptionStatusOf(subscription.status),
    currentPeriodEnd: subscription.currentPeriodEnd,
    cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
    processorCustomerRef: subscription.customer,
    updatedAt: now,
  };
  const [row] = await ctx.db
    .insert(subscriptions)
    .values({
      id: newId('pln', now.getTime()),
      accountId: first.accountId,
      packageId: first.packageId,
      processor: 'stripe',
      processorRef: subscription.id,
      firstPaymentId: first.id,
      createdAt: now,
      ...values,
    })
    .onConflictDoUpdate({ target: [subscriptions.processor, subscriptions.processorRef], set: values })
    .returning({ id: subscriptions.id });
  if (!row) throw new Error(`subscription ${subscription.id} was not recorded`);
  return row.id;
}

/**
 * Where a store's customers manage their subscriptions: Apple's and Google's own pages (each lists
 * the subscriptions of the signed-in store account, so no app id is needed).
 */
export const STORE_SUBSCRIPTION_PAGES = {
  app_store: 'https://apps.apple.com/account/subscriptions',
  play_store: 'https://play.google.com/store/account/subscriptions',
} as const;

/** A customer's subscriptions, newest first: the plan, its state, and where it is managed. */
export async function listSubscriptions(db: Executor, accountId: string): Promise<PaymentSubscriptionView[]> {
  const rows = await db
    .select({ ...getTableColumns(subscriptions), packageCode: creditPackages.code, firstMethod: payments.method })
    .from(subscriptions)
    .innerJoin(creditPackages, eq(creditPackages.id, subscriptions.packageId))
    .leftJoin(payments, eq(payments.id, subscriptions.firstPaymentId))
    .where(eq(subscriptions.accountId, accountId))
    .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id));
  return rows.map((row) => {
    const store = storeOf(row.processor, row.firstMethod);
    return {
      id: row.id,
      package: row.packageCode,
      processor: row.processor,
      status: row.status,
      currentPeriodEnd: row.currentPeriodEnd,
      cancelAtPeriodEnd: row.cancelAtPeriodEnd,
      store,
      manageUrl: store ? STORE_SUBSCRIPTION_PAGES[store] : null,
    };
  });
}

/** The store an app-store plan was bought in, from the method of its first payment. */
function storeOf(processor: SubscriptionRow['processor'], method: PaymentMethod | null): 'app_store' | 'play_store' | null {
  if (processor !== 'revenuecat') return null;
  return method === 'app_store' || method === 'play_store' ? method : null;
}
