import { describe, expect, it } from 'vitest';
import {
  allows,
  creditsKept,
  NO_FACTS,
  PAYMENT_STATUSES,
  type PaymentFact,
  type PaymentFacts,
  type PaymentStatus,
  restricts,
  statusOf,
  TRANSITIONS,
  withFact,
} from '../states.ts';

const AMOUNT = 1000;
const CREDITS = 300;
/** Every fact a processor can report, with two refund amounts (part, all). */
const FACTS: PaymentFact[] = [
  { kind: 'pending' },
  { kind: 'paid' },
  { kind: 'failed', reason: 'expired' },
  { kind: 'refunded', refundedMinor: 400 },
  { kind: 'refunded', refundedMinor: AMOUNT },
  { kind: 'dispute_opened' },
  { kind: 'dispute_closed', outcome: 'won' },
  { kind: 'dispute_closed', outcome: 'lost' },
];
const label = (fact: PaymentFact) =>
  fact.kind === 'refunded' ? `refunded ${fact.refundedMinor}` : fact.kind === 'dispute_closed' ? `dispute ${fact.outcome}` : fact.kind;

/** Every state the facts can reach from nothing. */
function reachable(): PaymentFacts[] {
  const seen = new Map<string, PaymentFacts>([[JSON.stringify(NO_FACTS), NO_FACTS]]);
  const queue = [NO_FACTS];
  for (let state = queue.pop(); state; state = queue.pop()) {
    for (const fact of FACTS) {
      const next = withFact(state, fact);
      const id = JSON.stringify(next);
      if (!seen.has(id)) {
        seen.set(id, next);
        queue.push(next);
      }
    }
  }
  return [...seen.values()];
}

function* permutations<T>(items: T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (let i = 0; i < items.length; i++) {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) yield [items[i] as T, ...rest];
  }
}

/** The outcome that matters: status, credits kept, restriction. */
const outcome = (facts: PaymentFacts) => ({
  status: statusOf(facts, AMOUNT),
  kept: creditsKept(facts, CREDITS, AMOUNT),
  restricts: restricts(facts),
});

describe('the payment state table', () => {
  it('lists exactly the status changes the rules make, with the facts that make them', () => {
    const made = new Map<string, Set<string>>();
    for (const state of reachable()) {
      for (const fact of FACTS) {
        const from = statusOf(state, AMOUNT);
        const to = statusOf(withFact(state, fact), AMOUNT);
        if (from === to) continue;
        expect(allows(from, to, fact.kind), `${from} → ${to} by ${label(fact)}`).toBe(true);
        const move = `${from}→${to}`;
        made.set(move, (made.get(move) ?? new Set()).add(fact.kind));
      }
    }
    const written = Object.entries(TRANSITIONS).flatMap(([from, moves]) =>
      Object.entries(moves as Record<string, readonly string[]>).map(([to, facts]) => [`${from}→${to}`, [...facts].sort()] as const),
    );
    expect(Object.fromEntries(written)).toEqual(Object.fromEntries([...made].map(([move, facts]) => [move, [...facts].sort()])));
  });

  it('ends in the same state whatever order the facts arrive in, and however often', () => {
    // The sequences a payment can really see: paid, then a refund, a dispute, or both; one outcome per dispute.
    const scenarios: PaymentFact[][] = [
      [{ kind: 'pending' }, { kind: 'paid' }],
      [{ kind: 'pending' }, { kind: 'failed', reason: 'declined' }],
      [{ kind: 'paid' }, { kind: 'refunded', refundedMinor: AMOUNT }],
      [{ kind: 'paid' }, { kind: 'refunded', refundedMinor: 400 }, { kind: 'refunded', refundedMinor: AMOUNT }],
      [{ kind: 'pending' }, { kind: 'paid' }, { kind: 'dispute_opened' }, { kind: 'dispute_closed', outcome: 'won' }],
      [{ kind: 'paid' }, { kind: 'dispute_opened' }, { kind: 'dispute_closed', outcome: 'lost' }],
      [{ kind: 'paid' }, { kind: 'refunded', refundedMinor: 400 }, { kind: 'dispute_opened' }, { kind: 'dispute_closed', outcome: 'lost' }],
      [{ kind: 'pending' }, { kind: 'failed', reason: 'x' }, { kind: 'paid' }, { kind: 'refunded', refundedMinor: 400 }],
    ];
    for (const facts of scenarios) {
      const inOrder = facts.reduce(withFact, NO_FACTS);
      for (const order of permutations([...facts, ...facts])) {
        const final = order.reduce(withFact, NO_FACTS);
        expect(final, facts.map(label).join(', ')).toEqual(inOrder);
      }
    }
  });

  it('says what each outcome is', () => {
    const outcomeOf = (...facts: PaymentFact[]) => outcome(facts.reduce(withFact, NO_FACTS));
    expect(outcomeOf()).toEqual({ status: 'created', kept: 0, restricts: false });
    expect(outcomeOf({ kind: 'paid' })).toEqual({ status: 'paid', kept: CREDITS, restricts: false });
    // A partial refund takes back its share, rounded up (400 of 1000 → 120 of 300 credits).
    expect(outcomeOf({ kind: 'paid' }, { kind: 'refunded', refundedMinor: 400 })).toEqual({ status: 'paid', kept: 180, restricts: false });
    expect(outcomeOf({ kind: 'paid' }, { kind: 'refunded', refundedMinor: 1 })).toEqual({ status: 'paid', kept: 299, restricts: false });
    expect(outcomeOf({ kind: 'refunded', refundedMinor: AMOUNT })).toEqual({ status: 'refunded', kept: 0, restricts: false });
    expect(outcomeOf({ kind: 'paid' }, { kind: 'dispute_opened' })).toEqual({ status: 'disputed', kept: CREDITS, restricts: true });
    expect(outcomeOf({ kind: 'paid' }, { kind: 'dispute_opened' }, { kind: 'dispute_closed', outcome: 'won' })).toEqual({
      status: 'paid',
      kept: CREDITS,
      restricts: false,
    });
    expect(outcomeOf({ kind: 'dispute_closed', outcome: 'lost' }, { kind: 'paid' }, { kind: 'dispute_opened' })).toEqual({
      status: 'disputed',
      kept: 0,
      restricts: false,
    });
    expect(outcomeOf({ kind: 'failed', reason: 'expired' }, { kind: 'pending' })).toEqual({ status: 'failed', kept: 0, restricts: false });
  });

  it('names every status in its table', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...PAYMENT_STATUSES].sort());
    const statuses = new Set<PaymentStatus>(reachable().map((s) => statusOf(s, AMOUNT)));
    expect([...statuses].sort()).toEqual([...PAYMENT_STATUSES].sort());
  });
});
