/**
 * A payment's state (ADR 23). Processors report facts — in progress, paid, failed, refunded, a dispute
 * opened or closed — in any order and any number of times. A payment therefore keeps the facts, each
 * of which only ever grows (a flag set, a cumulative amount, a dispute that moves forward), and its
 * status and the credits it owes follow from them by the rules below. Applying the same facts in any
 * order gives the same state: a refund before the payment, or a dispute closed before it was seen
 * opened, ends where the in-order sequence does (the test tries every order). Imports nothing, so the
 * web app can share it.
 */

export const PAYMENT_STATUSES = ['created', 'pending', 'paid', 'failed', 'refunded', 'disputed'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const DISPUTE_STATES = ['none', 'open', 'won', 'lost'] as const;
export type DisputeState = (typeof DISPUTE_STATES)[number];

/** What a processor can tell about a payment. */
export type PaymentFact =
  | { kind: 'pending' }
  | { kind: 'paid' }
  | { kind: 'failed'; reason: string }
  /** `refundedMinor`: how much the processor has refunded in all (cumulative, as Stripe's `amount_refunded`). */
  | { kind: 'refunded'; refundedMinor: number }
  | { kind: 'dispute_opened' }
  | { kind: 'dispute_closed'; outcome: 'won' | 'lost' };
export type PaymentFactKind = PaymentFact['kind'];

/** The facts a payment keeps. */
export interface PaymentFacts {
  pending: boolean;
  paid: boolean;
  failed: boolean;
  refundedMinor: number;
  dispute: DisputeState;
}

export const NO_FACTS: PaymentFacts = { pending: false, paid: false, failed: false, refundedMinor: 0, dispute: 'none' };

/**
 * Add a fact. Every rule only moves forward: flags are set, the refunded amount is the largest
 * reported, and a dispute goes none → open → won | lost (a close seen first stays closed; the
 * first outcome stands).
 */
export function withFact(facts: PaymentFacts, fact: PaymentFact): PaymentFacts {
  switch (fact.kind) {
    case 'pending':
      return { ...facts, pending: true };
    case 'paid':
      return { ...facts, paid: true };
    case 'failed':
      return { ...facts, failed: true };
    case 'refunded':
      return { ...facts, refundedMinor: Math.max(facts.refundedMinor, fact.refundedMinor) };
    case 'dispute_opened':
      return facts.dispute === 'none' ? { ...facts, dispute: 'open' } : facts;
    case 'dispute_closed':
      return facts.dispute === 'none' || facts.dispute === 'open' ? { ...facts, dispute: fact.outcome } : facts;
  }
}

/**
 * The status, by precedence (first rule that holds):
 *
 * | facts                                  | status     |
 * |----------------------------------------|------------|
 * | dispute open or lost                   | `disputed` |
 * | refunded the whole amount              | `refunded` |
 * | paid                                   | `paid`     |
 * | failed                                 | `failed`   |
 * | in progress                            | `pending`  |
 * | nothing yet                            | `created`  |
 *
 * A partial refund leaves a payment `paid` (its credits are taken back in proportion); a dispute won
 * gives the payment its status back.
 */
export function statusOf(facts: PaymentFacts, amountMinor: number): PaymentStatus {
  if (facts.dispute === 'open' || facts.dispute === 'lost') return 'disputed';
  if (amountMinor > 0 && facts.refundedMinor >= amountMinor) return 'refunded';
  if (facts.paid) return 'paid';
  if (facts.failed) return 'failed';
  if (facts.pending) return 'pending';
  return 'created';
}

/**
 * The credits this payment has given and not taken back: nothing until it is paid; then its credits,
 * less what refunds took back (in proportion to the amount refunded, rounded up: a refund never
 * leaves a credit that was not paid for), and all of them when a dispute is lost.
 */
export function creditsKept(facts: PaymentFacts, credits: number, amountMinor: number): number {
  if (!facts.paid) return 0;
  return credits - creditsTakenBack(facts, credits, amountMinor);
}

/** The credits a paid payment's refunds and lost dispute take back (see creditsKept). */
export function creditsTakenBack(facts: PaymentFacts, credits: number, amountMinor: number): number {
  if (facts.dispute === 'lost') return credits;
  if (facts.refundedMinor <= 0 || amountMinor <= 0) return 0;
  if (facts.refundedMinor >= amountMinor) return credits;
  return Math.min(credits, Math.ceil((credits * facts.refundedMinor) / amountMinor));
}

/** A dispute still open keeps the customer's account restricted (with any wallet in debt). */
export const restricts = (facts: PaymentFacts): boolean => facts.dispute === 'open';

/**
 * Every status change the rules above can make, with the facts that make it: derived from them, and
 * kept here in writing (the test checks each against the rules, both ways). A status with no entry
 * moves only through the facts listed for it.
 */
export const TRANSITIONS = {
  created: {
    pending: ['pending'],
    paid: ['paid'],
    failed: ['failed'],
    refunded: ['refunded'],
    disputed: ['dispute_opened', 'dispute_closed'],
  },
  pending: {
    paid: ['paid'],
    failed: ['failed'],
    refunded: ['refunded'],
    disputed: ['dispute_opened', 'dispute_closed'],
  },
  failed: {
    paid: ['paid'],
    refunded: ['refunded'],
    disputed: ['dispute_opened', 'dispute_closed'],
  },
  paid: {
    refunded: ['refunded'],
    disputed: ['dispute_opened', 'dispute_closed'],
  },
  refunded: {
    disputed: ['dispute_opened', 'dispute_closed'],
  },
  disputed: {
    created: ['dispute_closed'],
    pending: ['dispute_closed'],
    paid: ['dispute_closed'],
    failed: ['dispute_closed'],
    refunded: ['dispute_closed'],
  },
} as const satisfies Record<PaymentStatus, Partial<Record<PaymentStatus, readonly PaymentFactKind[]>>>;

/** Whether the table lists `fact` as a move from one status to another (the same status: always allowed). */
export function allows(from: PaymentStatus, to: PaymentStatus, fact: PaymentFactKind): boolean {
  if (from === to) return true;
  const facts: readonly string[] | undefined = (TRANSITIONS[from] as Partial<Record<PaymentStatus, readonly string[]>>)[to];
  return facts?.includes(fact) ?? false;
}
