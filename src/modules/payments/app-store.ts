import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import {
  accounts,
  auditLog,
  creditPackages,
  type PaymentMethod,
  processedWebhookEvents,
  type SubscriptionStatus,
  subscriptions,
} from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { PurchaseSubject, RevenueCatFact } from '../../payment-clients/revenuecat/index.ts';
import type { Ctx } from '../context.ts';
import { grantDemoCredits } from '../ledger/index.ts';
import { markPaymentPaid, recordPaymentRefund } from './apply-fact.ts';
import { createPayment } from './create-payment.ts';
import { paymentByRef } from './find-payments.ts';
import type { PackageRow } from './view.ts';

/**
 * App Store and Google Play purchases, as RevenueCat's webhook reports them (already read into facts
 * by payment-clients/revenuecat). Each event is handled in one transaction that first claims its
 * event id (a second delivery finds it claimed and does nothing); each store transaction is one
 * payment whose processor reference is the store's `transaction_id` (unique), credited through the
 * same facts as a card payment (apply-fact.ts): a second event about the same transaction finds the
 * payment and the credit already there. Subscriptions are one row per `original_transaction_id`,
 * whose status and auto-renewal each keep the latest of what RevenueCat said by its event time, so
 * events arriving out of order end where the in-order sequence does.
 */

export type StoreEventOutcome =
  | { kind: 'applied'; paymentId: string | null; creditsMoved: number }
  /** The event id was handled before. */
  | { kind: 'duplicate' }
  /** Nothing for otpbox to do (a test, a type otpbox does not act on, a sandbox purchase while the sandbox does not sell). */
  | { kind: 'ignored'; reason: string }
  /** About someone or something otpbox does not know: nothing is recorded, so a resend after fixing it is handled. */
  | { kind: 'unmatched'; reason: string };

export interface StoreEventOptions {
  /** The sandbox provider sells now: RevenueCat's SANDBOX events are handled only then. */
  sandboxSells: boolean;
  /** The most demo credits an account holds (SANDBOX_DEMO_CREDITS): what a sandbox purchase can give. */
  demoCreditsCap: number;
}

/** Thrown inside the event's transaction to undo its claim when the event names nobody we know. */
class Unmatched extends Error {}

export async function acceptStoreEvent(ctx: Ctx, fact: RevenueCatFact, options: StoreEventOptions): Promise<StoreEventOutcome> {
  if (fact.kind === 'test') return { kind: 'ignored', reason: 'a TEST event from the RevenueCat dashboard' };
  if (fact.kind === 'ignored') return { kind: 'ignored', reason: fact.reason };
  if (fact.environment === 'SANDBOX') {
    if (!options.sandboxSells) {
      return {
        kind: 'ignored',
        reason: `${fact.type} ${fact.eventId}: a store sandbox event, handled only while otpbox's sandbox sells (no real provider does)`,
      };
    }
    return sandboxPurchase(ctx, fact, options.demoCreditsCap);
  }
  try {
    return await transaction(ctx.db, async (tx) => {
      const txCtx = { ...ctx, db: tx };
      const now = ctx.clock.now();
      const claimed = await tx
        .insert(processedWebhookEvents)
        .values({ processor: 'revenuecat', eventId: fact.eventId, type: fact.type, receivedAt: now })
        .onConflictDoNothing()
        .returning({ eventId: processedWebhookEvents.eventId });
      if (claimed.length === 0) return { kind: 'duplicate' as const };
      // Named before the payment's fact is applied: its events are the transaction's last write (events/emit.ts).
      const concerns = async (paymentId: string) => {
        await tx
          .update(processedWebhookEvents)
          .set({ paymentId })
          .where(and(eq(processedWebhookEvents.processor, 'revenuecat'), eq(processedWebhookEvents.eventId, fact.eventId)));
      };
      return fact.kind === 'transfer' ? await transfer(txCtx, fact) : await onPurchase(txCtx, fact, concerns);
    });
  } catch (error) {
    if (error instanceof Unmatched) return { kind: 'unmatched', reason: error.message };
    throw error;
  }
}

type SubjectFact = Extract<RevenueCatFact, PurchaseSubject>;

/**
 * A purchase in the store's sandbox (TestFlight, a Play test track) cost nobody anything: it gives
 * demo credits, the sandbox's play money, which buy sandbox numbers only and are voided when the
 * sandbox stops selling — never credits that could buy a real number (issue 14). Up to the account's
 * demo cap; keyed by the store transaction, so a replay gives nothing more. Nothing else about a
 * sandbox event (refunds, renewals' state, transfers) is recorded.
 */
async function sandboxPurchase(ctx: Ctx, fact: Extract<RevenueCatFact, { kind: string }>, cap: number): Promise<StoreEventOutcome> {
  const what = `${fact.type} ${fact.eventId}`;
  if (fact.kind !== 'purchase') return { kind: 'ignored', reason: `${what}: a store sandbox event other than a purchase changes nothing` };
  const subject = await subjectOf(ctx.db, fact);
  if (!subject.accountId || !subject.pkg) {
    return { kind: 'unmatched', reason: `${what}: a sandbox purchase for an account or product otpbox does not know` };
  }
  try {
    await grantDemoCredits(ctx, {
      accountId: subject.accountId,
      amount: subject.pkg.credits,
      cap,
      idempotencyKey: `revenuecat:sandbox:${fact.reference}`,
    });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'DEMO_CREDITS_LIMIT')
      return { kind: 'ignored', reason: `${what}: ${error.message}` };
    throw error;
  }
  return { kind: 'applied', paymentId: null, creditsMoved: 0 };
}

async function onPurchase(ctx: Ctx, fact: SubjectFact, concerns: (paymentId: string) => Promise<void>): Promise<StoreEventOutcome> {
  const at = fact.eventAt ?? ctx.clock.now();
  const source = `revenuecat ${fact.eventId}`;
  const subject = await subjectOf(ctx.db, fact);
  const what = `${fact.type} ${fact.eventId}`;
  switch (fact.kind) {
    case 'purchase': {
      const { accountId, pkg, method } = need(subject, what, true);
      const subscriptionId =
        fact.purchase === 'one_time'
          ? undefined
          : await describeSubscription(ctx, fact, subject, { at, status: 'active', renews: true, periodEnd: fact.periodEndsAt, pkg });
      const { payment } = await createPayment(ctx, {
        accountId,
        pkg,
        method,
        processor: 'revenuecat',
        processorRef: fact.reference,
        subscriptionId,
      });
      if (subscriptionId && fact.purchase === 'initial') {
        await ctx.db
          .update(subscriptions)
          .set({ firstPaymentId: payment.id })
          .where(and(eq(subscriptions.id, subscriptionId), sql`${subscriptions.firstPaymentId} is null`));
      }
      await concerns(payment.id);
      const paid = await markPaymentPaid(ctx, payment.id, { subscriptionId, source });
      return { kind: 'applied', paymentId: payment.id, creditsMoved: paid.creditsMoved };
    }
    case 'refund': {
      // A refund seen before its purchase makes the payment, refunded: the purchase then credits and takes back at once.
      const known = await paymentByRef(ctx.db, 'revenuecat', fact.reference);
      const payment =
        known ??
        (await (async () => {
          const { accountId, pkg, method } = need(subject, what, true);
          return (await createPayment(ctx, { accountId, pkg, method, processor: 'revenuecat', processorRef: fact.reference })).payment;
        })());
      await concerns(payment.id);
      const refunded = await recordPaymentRefund(ctx, payment.id, payment.amountMinor, { source });
      return { kind: 'applied', paymentId: payment.id, creditsMoved: refunded.creditsMoved };
    }
    case 'autoRenew':
      await describeSubscription(ctx, fact, subject, { at, renews: fact.on, periodEnd: fact.periodEndsAt });
      return { kind: 'applied', paymentId: null, creditsMoved: 0 };
    case 'expired':
      await describeSubscription(ctx, fact, subject, { at, status: 'cancelled', periodEnd: fact.at });
      return { kind: 'applied', paymentId: null, creditsMoved: 0 };
    case 'billingIssue':
      await describeSubscription(ctx, fact, subject, { at, status: 'past_due' });
      return { kind: 'applied', paymentId: null, creditsMoved: 0 };
    case 'productChange':
      // The new product takes effect at a renewal, whose purchase event names it (and credits its package).
      await describeSubscription(ctx, fact, subject, { at, audit: { newProduct: fact.newProduct } });
      return { kind: 'applied', paymentId: null, creditsMoved: 0 };
  }
}

interface Subject {
  accountId?: string;
  /** An app user id that was an account, erased since: a purchase for it credits no one. */
  erased?: string;
  pkg?: PackageRow;
  method?: PaymentMethod;
}

/**
 * The account (the first of the event's app user ids that is a live account's id), the package (by
 * store product) and the method (by store). An erased account is no one's: its id is kept apart.
 */
async function subjectOf(db: Executor, fact: SubjectFact): Promise<Subject> {
  const found = fact.appUserIds.length
    ? await db.select({ id: accounts.id, status: accounts.status }).from(accounts).where(inArray(accounts.id, fact.appUserIds))
    : [];
  const live = (id: string) => found.some((row) => row.id === id && row.status !== 'deleted');
  const accountId = fact.appUserIds.find(live);
  const erased = accountId ? undefined : found.find((row) => row.status === 'deleted')?.id;
  const packages = await db.select().from(creditPackages).where(inArray(creditPackages.storeProductId, fact.productIds));
  const pkg = fact.productIds.map((id) => packages.find((row) => row.storeProductId === id)).find((row) => row !== undefined);
  return { accountId, ...(erased ? { erased } : {}), pkg, method: methodOf(fact.store) };
}

function need(subject: Subject, what: string, withMethod: boolean): Required<Omit<Subject, 'erased'>> {
  if (!subject.accountId && subject.erased)
    throw new Unmatched(`${what}: its account ${subject.erased} was erased: nobody can use the credits, refund the purchase in the store`);
  if (!subject.accountId)
    throw new Unmatched(`${what}: no otpbox account has any of its app user ids (app_user_id, original_app_user_id, aliases)`);
  if (!subject.pkg) throw new Unmatched(`${what}: no package is bought by its product (\`otpbox packages add … --store-product ID\`)`);
  if (withMethod && !subject.method)
    throw new Unmatched(`${what}: purchases in this store are not handled (App Store and Google Play are)`);
  return subject as Required<Subject>;
}

/** The payment method of a RevenueCat `store`. */
function methodOf(store: string | null): PaymentMethod | undefined {
  if (store === 'APP_STORE' || store === 'MAC_APP_STORE') return 'app_store';
  if (store === 'PLAY_STORE') return 'play_store';
  return undefined;
}

interface Statement {
  /** When RevenueCat said it (its event time): a statement replaces only an older one. */
  at: Date;
  status?: SubscriptionStatus;
  renews?: boolean;
  /** A period end: the subscription keeps the latest one heard of. */
  periodEnd?: Date | null;
  /** The plan a purchase bought (replaced with the status). */
  pkg?: PackageRow;
  audit?: Record<string, unknown>;
}

/**
 * Record what an event says about its subscription (`original_transaction_id`): each of status and
 * auto-renewal replaced only by a statement made later than the one it holds, the period end only
 * ever moved later. A subscription first heard of is created for the event's account and package;
 * one that cannot be (nobody or nothing known) leaves the event unmatched. Audited. Returns its id.
 */
async function describeSubscription(ctx: Ctx, fact: SubjectFact, subject: Subject, said: Statement): Promise<string> {
  const tx = ctx.db;
  const now = ctx.clock.now();
  const at = said.at.toISOString();
  const newer = (column: typeof subscriptions.statusAsOf) => sql`(${column} is null or ${column} < ${at}::timestamptz)`;
  const set: Record<string, SQL | Date> = { updatedAt: now };
  if (said.status) {
    set.status = sql`case when ${newer(subscriptions.statusAsOf)} then ${said.status} else ${subscriptions.status} end`;
    if (said.pkg) set.packageId = sql`case when ${newer(subscriptions.statusAsOf)} then ${said.pkg.id} else ${subscriptions.packageId} end`;
    set.statusAsOf = sql`greatest(${subscriptions.statusAsOf}, ${at}::timestamptz)`;
  }
  if (said.renews !== undefined) {
    set.cancelAtPeriodEnd = sql`case when ${newer(subscriptions.renewalAsOf)} then ${!said.renews} else ${subscriptions.cancelAtPeriodEnd} end`;
    set.renewalAsOf = sql`greatest(${subscriptions.renewalAsOf}, ${at}::timestamptz)`;
  }
  if (said.periodEnd) set.currentPeriodEnd = sql`greatest(${subscriptions.currentPeriodEnd}, ${said.periodEnd.toISOString()}::timestamptz)`;

  const key = and(eq(subscriptions.processor, 'revenuecat'), eq(subscriptions.processorRef, fact.originalReference));
  let [row] = await tx.update(subscriptions).set(set).where(key).returning({ id: subscriptions.id, accountId: subscriptions.accountId });
  if (!row) {
    const { accountId, pkg } = need(subject, `${fact.type} ${fact.eventId}`, false);
    [row] = await tx
      .insert(subscriptions)
      .values({
        id: newId('pln', now.getTime()),
        accountId,
        packageId: (said.pkg ?? pkg).id,
        processor: 'revenuecat',
        processorRef: fact.originalReference,
        // Until a statement about it arrives, a subscription heard of is taken as running and renewing.
        status: said.status ?? 'active',
        statusAsOf: said.status ? said.at : null,
        cancelAtPeriodEnd: said.renews === undefined ? false : !said.renews,
        renewalAsOf: said.renews === undefined ? null : said.at,
        currentPeriodEnd: said.periodEnd ?? null,
        createdAt: now,
        updatedAt: now,
      })
      // Two first events at once: the second updates what the first created.
      .onConflictDoUpdate({ target: [subscriptions.processor, subscriptions.processorRef], set })
      .returning({ id: subscriptions.id, accountId: subscriptions.accountId });
  }
  if (!row) throw new Error(`subscription ${fact.originalReference} was neither updated nor created`);
  await tx.insert(auditLog).values({
    id: newId('aud', now.getTime()),
    actor: ctx.actor ?? 'system',
    // autoRenew → subscription.auto_renew, as the other audit actions are spelt.
    action: `subscription.${fact.kind.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}`,
    accountId: row.accountId,
    details: { subscriptionId: row.id, event: `revenuecat ${fact.eventId}`, type: fact.type, ...said.audit },
    occurredAt: now,
  });
  return row.id;
}

/**
 * TRANSFER: the store account's purchases moved to another app user (RevenueCat sends it for the
 * destination only). Its subscriptions follow to the destination's account; payments already made,
 * and their credits, stay where they were.
 */
async function transfer(ctx: Ctx, fact: Extract<RevenueCatFact, { kind: 'transfer' }>): Promise<StoreEventOutcome> {
  const tx = ctx.db;
  const now = ctx.clock.now();
  const known = await tx
    .select({ id: accounts.id })
    .from(accounts)
    .where(inArray(accounts.id, [...fact.from, ...fact.to]));
  const to = fact.to.find((id) => known.some((row) => row.id === id));
  if (!to) throw new Unmatched(`${fact.type} ${fact.eventId}: no otpbox account is any of transferred_to`);
  const from = fact.from.filter((id) => id !== to && known.some((row) => row.id === id));
  const moved = from.length
    ? await tx
        .update(subscriptions)
        .set({ accountId: to, updatedAt: now })
        .where(and(eq(subscriptions.processor, 'revenuecat'), inArray(subscriptions.accountId, from)))
        .returning({ id: subscriptions.id })
    : [];
  await tx.insert(auditLog).values({
    id: newId('aud', now.getTime()),
    actor: ctx.actor ?? 'system',
    action: 'subscription.transfer',
    accountId: to,
    details: { event: `revenuecat ${fact.eventId}`, from, subscriptions: moved.map((row) => row.id) },
    occurredAt: now,
  });
  return { kind: 'applied', paymentId: null, creditsMoved: 0 };
}
