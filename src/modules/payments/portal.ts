import { and, eq } from 'drizzle-orm';
import { subscriptions } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import { StripeRefused, StripeUnavailable } from '../../payment-clients/stripe/port.ts';
import type { Ctx } from '../context.ts';
import type { PaymentDeps } from './deps.ts';

/**
 * Where a customer manages (cancels) one of their card plans: a Stripe Customer Portal session for the
 * Stripe customer that pays it, returning to the web app. App-store plans are managed in the store.
 */
export async function openSubscriptionPortal(
  ctx: Ctx,
  deps: PaymentDeps,
  accountId: string,
  subscriptionId: string,
): Promise<{ url: string }> {
  const [row] = await ctx.db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.id, subscriptionId), eq(subscriptions.accountId, accountId)));
  if (!row) throw new DomainError('NOT_FOUND', 'No such subscription.');
  if (row.processor !== 'stripe' || !row.processorCustomerRef) {
    throw new DomainError('CONFLICT', 'This plan is managed in the app store it was bought from.');
  }
  if (!deps.stripe)
    throw new DomainError('PAYMENT_METHOD_UNAVAILABLE', 'Card payments are not available on this service.', { method: 'card' });
  try {
    return await deps.stripe.createPortalSession({ customer: row.processorCustomerRef, returnUrl: `${ctx.config.publicUrl}/payments` });
  } catch (error) {
    if (!(error instanceof StripeUnavailable || error instanceof StripeRefused)) throw error;
    ctx.log.error({ err: error, subscriptionId }, 'Stripe did not open a customer portal session');
    throw new DomainError('PAYMENT_PROCESSOR_UNAVAILABLE', 'The page to manage this plan could not be opened; try again in a moment.', {
      retryAfterSeconds: 30,
    });
  }
}
