import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallbackStatus, Confirmations } from '../confirmations.ts';
import { type BitcoinPaymentFacts, decideBitcoinPayment, type ObservedTransaction } from '../decision.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const tx = (txid: string, status: CallbackStatus, satoshis: number, rbf = false): ObservedTransaction => ({ txid, status, satoshis, rbf });
const facts = (transactions: ObservedTransaction[], more: Partial<BitcoinPaymentFacts> = {}): BitcoinPaymentFacts => ({
  expectedSatoshis: 100_000,
  packageCredits: 500,
  confirmations: 2,
  creditedSoFar: 0,
  transactions,
  ...more,
});

describe('decideBitcoinPayment', () => {
  it('does nothing before any payment is seen', () => {
    expect(decideBitcoinPayment(facts([]))).toMatchObject({
      kind: 'nothing',
      status: 'created',
      reason: 'No payment has been seen at this address.',
    });
  });

  it('is pending while the payment has fewer confirmations than the setting asks', () => {
    for (const status of [-1, 0, 1] as const) {
      expect(decideBitcoinPayment(facts([tx(A, status, 100_000)]))).toMatchObject({
        kind: 'pending',
        status: 'pending',
        confirmedSatoshis: 0,
        unconfirmedSatoshis: 100_000,
        reason: 'Payment seen. 0.00100000 BTC is waiting for 2 confirmations.',
      });
    }
  });

  it('credits the full package once confirmed, and only once', () => {
    const callbacks = [tx(A, 0, 100_000), tx(A, 1, 100_000), tx(A, 2, 100_000), tx(A, 2, 100_000)];
    const decision = decideBitcoinPayment(facts(callbacks));
    expect(decision).toEqual({
      kind: 'credit',
      status: 'paid',
      credits: 500,
      totalCredits: 500,
      coverage: 'full',
      expectedSatoshis: 100_000,
      confirmedSatoshis: 100_000,
      unconfirmedSatoshis: 0,
      reason: "Received 0.00100000 BTC of 0.00100000 BTC asked: the package's 500 credits.",
    });
    expect(decideBitcoinPayment(facts(callbacks, { creditedSoFar: 500 }))).toMatchObject({
      kind: 'nothing',
      status: 'paid',
      reason: 'Already credited: 500 credits for 0.00100000 BTC received.',
    });
  });

  it('follows the confirmations setting', () => {
    expect(decideBitcoinPayment(facts([tx(A, 1, 100_000)], { confirmations: 1 }))).toMatchObject({ kind: 'credit', credits: 500 });
    expect(decideBitcoinPayment(facts([tx(A, 0, 100_000)], { confirmations: 0 }))).toMatchObject({ kind: 'credit', credits: 500 });
    expect(decideBitcoinPayment(facts([tx(A, 0, 100_000, true)], { confirmations: 0 }))).toMatchObject({
      kind: 'pending',
      reason: expect.stringContaining('a replace-by-fee transaction counts only once confirmed'),
    });
    expect(decideBitcoinPayment(facts([tx(A, -1, 100_000)], { confirmations: 0 }))).toMatchObject({ kind: 'pending' });
  });

  it('credits an underpayment in proportion, rounded down, and says so', () => {
    expect(decideBitcoinPayment(facts([tx(A, 2, 33_333)]))).toMatchObject({
      kind: 'credit',
      status: 'paid',
      coverage: 'partial',
      credits: 166, // 500 × 33333 / 100000 = 166.665
      totalCredits: 166,
      reason:
        "Underpaid: received 0.00033333 BTC of 0.00100000 BTC asked (33.33 %), so 166 of the package's 500 credits, in proportion and rounded down.",
    });
  });

  it('tops an underpayment up when a second transaction arrives, to exactly the package', () => {
    const first = decideBitcoinPayment(facts([tx(A, 2, 33_333)]));
    expect(first).toMatchObject({ kind: 'credit', credits: 166 });
    const both = decideBitcoinPayment(facts([tx(A, 2, 33_333), tx(B, 2, 66_667)], { creditedSoFar: 166 }));
    expect(both).toMatchObject({
      kind: 'credit',
      coverage: 'full',
      credits: 334,
      totalCredits: 500,
      reason: "Received 0.00100000 BTC of 0.00100000 BTC asked: the package's 500 credits. 166 were credited before, 334 now.",
    });
  });

  it('credits what is confirmed while another transaction is still unconfirmed', () => {
    const decision = decideBitcoinPayment(facts([tx(A, 2, 50_000), tx(B, 0, 50_000)]));
    expect(decision).toMatchObject({ kind: 'credit', status: 'pending', credits: 250, coverage: 'partial', unconfirmedSatoshis: 50_000 });
    expect(decision.reason).toContain('0.00050000 BTC is waiting for 2 confirmations.');
    expect(decideBitcoinPayment(facts([tx(A, 2, 50_000), tx(B, 1, 50_000)], { creditedSoFar: 250 }))).toMatchObject({
      kind: 'pending',
      status: 'pending',
      reason: 'Payment seen. 0.00050000 BTC confirmed so far (250 credits). 0.00050000 BTC is waiting for 2 confirmations.',
    });
  });

  it('credits the package only for an overpayment, and says so', () => {
    expect(decideBitcoinPayment(facts([tx(A, 2, 150_000)]))).toMatchObject({
      kind: 'credit',
      coverage: 'overpaid',
      credits: 500,
      reason:
        "Received 0.00150000 BTC, 0.00050000 BTC more than the 0.00100000 BTC asked: the package's 500 credits; an overpayment does not buy more credits.",
    });
    // A further transaction after the package was credited adds nothing.
    expect(decideBitcoinPayment(facts([tx(A, 2, 100_000), tx(B, 0, 10_000)], { creditedSoFar: 500 }))).toMatchObject({
      kind: 'nothing',
      status: 'paid',
    });
  });

  it('does nothing for dust worth less than a credit', () => {
    expect(decideBitcoinPayment(facts([tx(A, 2, 100)]))).toMatchObject({
      kind: 'nothing',
      status: 'created',
      reason: 'Received 0.00000100 BTC, worth less than one credit of this package.',
    });
  });

  it('takes nothing back when less is due than was credited', () => {
    expect(decideBitcoinPayment(facts([tx(A, 2, 50_000)], { creditedSoFar: 500 }))).toMatchObject({
      kind: 'nothing',
      reason: '500 credits were given, more than the 250 now due for 0.00050000 BTC confirmed; nothing is taken back here.',
    });
  });

  it('counts a txid once, whatever its case or repetition, and reads conflicting amounts cautiously', () => {
    expect(decideBitcoinPayment(facts([tx(A, 2, 60_000), tx(A.toUpperCase(), 2, 60_000)]))).toMatchObject({ credits: 300 });
    expect(decideBitcoinPayment(facts([tx(A, 2, 60_000), tx(A, 2, 40_000)]))).toMatchObject({ credits: 200 });
  });

  it('refuses impossible inputs', () => {
    expect(() => decideBitcoinPayment(facts([], { expectedSatoshis: 0 }))).toThrow(/expectedSatoshis/);
    expect(() => decideBitcoinPayment(facts([], { packageCredits: 1.5 }))).toThrow(/packageCredits/);
    expect(() => decideBitcoinPayment(facts([], { creditedSoFar: -1 }))).toThrow(/creditedSoFar/);
    expect(() => decideBitcoinPayment(facts([tx(A, 2, -3)]))).toThrow(/satoshis/);
  });
});

describe('decideBitcoinPayment, over any delivery', () => {
  const transaction = fc.record({
    txid: fc.constantFrom(A, B, 'c'.repeat(64)),
    status: fc.constantFrom<CallbackStatus>(-1, 0, 1, 2),
    satoshis: fc.integer({ min: 0, max: 200_000 }),
    rbf: fc.boolean(),
  });
  // One amount and one replace-by-fee flag per txid, as on the blockchain (both are part of the signed
  // transaction its id hashes); callbacks may repeat, rise in status, and come in any order.
  const delivery = fc.array(transaction, { maxLength: 12 }).map((list) =>
    list.map((item) => {
      const first = list.find((other) => other.txid === item.txid) ?? item;
      return { ...item, satoshis: first.satoshis, rbf: first.rbf };
    }),
  );
  const setting = fc.constantFrom<Confirmations>(0, 1, 2);

  it('decides the same whatever the order and repetition of callbacks', () => {
    fc.assert(
      fc.property(delivery, setting, fc.integer({ min: 1, max: 10_000 }), (callbacks, confirmations, packageCredits) => {
        const once = decideBitcoinPayment(facts(callbacks, { confirmations, packageCredits }));
        const replayed = decideBitcoinPayment(facts([...callbacks, ...callbacks].reverse(), { confirmations, packageCredits }));
        expect(replayed).toEqual(once);
      }),
    );
  });

  it('credits, callback by callback, exactly what one decision over all of them gives, never more than the package', () => {
    fc.assert(
      fc.property(delivery, setting, fc.integer({ min: 1, max: 10_000 }), (callbacks, confirmations, packageCredits) => {
        let credited = 0;
        for (let seen = 1; seen <= callbacks.length; seen++) {
          const decision = decideBitcoinPayment(
            facts(callbacks.slice(0, seen), { confirmations, packageCredits, creditedSoFar: credited }),
          );
          if (decision.kind === 'credit') credited += decision.credits;
        }
        const final = decideBitcoinPayment(facts(callbacks, { confirmations, packageCredits }));
        expect(credited).toBe(final.kind === 'credit' ? final.totalCredits : 0);
        expect(credited).toBeLessThanOrEqual(packageCredits);
      }),
    );
  });
});
