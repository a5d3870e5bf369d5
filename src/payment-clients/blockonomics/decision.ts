import { type CallbackStatus, type Confirmations, creditsAt } from './confirmations.ts';
import { formatBtc, isSatoshis, type Satoshis } from './money.ts';

/**
 * What a bitcoin payment is worth so far, from everything Blockonomics has reported for its address.
 *
 * Pure and cumulative: it takes every callback recorded for the address (in any order, repeated as
 * Blockonomics repeats them) and the credits already given, and answers what to credit now. Replaying
 * the same callbacks therefore credits nothing more, and two transactions that each pay half give
 * exactly the package's credits, not twice a rounded-down half.
 *
 * - Several transactions may pay one address; they add up.
 * - For each txid the highest status seen counts (callbacks repeat as confirmations rise).
 * - Full payment (or more) credits the package's credits. Overpayment credits the package only: the
 *   excess is not turned into credits (the price was quoted for the package), and the reason says so.
 * - Underpayment credits in proportion, rounded down: ⌊credits × paid / asked⌋, and the reason says so.
 *   A later transaction tops the payment up to the full package.
 * - Confirmed money is credited at once, even while another transaction to the address is still
 *   unconfirmed (one that never confirms must not hold back what did).
 */

export interface ObservedTransaction {
  txid: string;
  status: CallbackStatus;
  satoshis: Satoshis;
  rbf: boolean;
}

export interface BitcoinPaymentFacts {
  /** What the quote asked for (`BitcoinQuote.satoshis`). */
  expectedSatoshis: Satoshis;
  /** The package's credits: what a full payment gives. */
  packageCredits: number;
  /** BLOCKONOMICS_CONFIRMATIONS. */
  confirmations: Confirmations;
  /** Every callback recorded for this payment's address. */
  transactions: readonly ObservedTransaction[];
  /** Credits already given for this payment. */
  creditedSoFar: number;
}

/** A payment's status after the decision, in the contract's words. */
export type BitcoinPaymentStatus = 'created' | 'pending' | 'paid';

interface Amounts {
  status: BitcoinPaymentStatus;
  expectedSatoshis: Satoshis;
  /** Counted: confirmed enough under the setting. */
  confirmedSatoshis: Satoshis;
  /** Seen but not (yet) counted. */
  unconfirmedSatoshis: Satoshis;
  /** For the payment record and the customer: why this decision, in plain words. */
  reason: string;
}

export type BitcoinDecision =
  | ({ kind: 'nothing' } & Amounts)
  | ({ kind: 'pending' } & Amounts)
  | ({
      kind: 'credit';
      /** To credit now. */
      credits: number;
      /** Credited for this payment once this is done. */
      totalCredits: number;
      coverage: 'full' | 'partial' | 'overpaid';
    } & Amounts);

export function decideBitcoinPayment(facts: BitcoinPaymentFacts): BitcoinDecision {
  const { expectedSatoshis: expected, packageCredits, confirmations, creditedSoFar } = facts;
  if (!isSatoshis(expected) || expected === 0)
    throw new RangeError(`expectedSatoshis must be a positive number of satoshis, not ${expected}`);
  if (!Number.isSafeInteger(packageCredits) || packageCredits <= 0)
    throw new RangeError(`packageCredits must be a positive integer, not ${packageCredits}`);
  if (!Number.isSafeInteger(creditedSoFar) || creditedSoFar < 0)
    throw new RangeError(`creditedSoFar must be a non-negative integer, not ${creditedSoFar}`);

  let confirmed = 0;
  let unconfirmed = 0;
  let heldBackRbf = false;
  for (const tx of latestPerTransaction(facts.transactions)) {
    if (creditsAt(confirmations, tx.status, tx.rbf)) confirmed += tx.satoshis;
    else {
      unconfirmed += tx.satoshis;
      if (tx.rbf && tx.status <= 0) heldBackRbf = true;
    }
  }

  const due = confirmed >= expected ? packageCredits : Number((BigInt(packageCredits) * BigInt(confirmed)) / BigInt(expected));
  const status: BitcoinPaymentStatus = confirmed >= expected ? 'paid' : unconfirmed > 0 ? 'pending' : due > 0 ? 'paid' : 'created';
  const amounts = { status, expectedSatoshis: expected, confirmedSatoshis: confirmed, unconfirmedSatoshis: unconfirmed };
  const waiting =
    unconfirmed > 0
      ? ` ${formatBtc(unconfirmed)} BTC is waiting for ${confirmations === 0 ? 'the network' : `${confirmations} confirmation${confirmations === 1 ? '' : 's'}`}` +
        `${heldBackRbf ? ' (a replace-by-fee transaction counts only once confirmed)' : ''}.`
      : '';

  if (confirmed === 0 && unconfirmed === 0) return { kind: 'nothing', ...amounts, reason: 'No payment has been seen at this address.' };
  if (due > creditedSoFar) {
    const credits = due - creditedSoFar;
    const before = creditedSoFar > 0 ? ` ${creditedSoFar} were credited before, ${credits} now.` : '';
    if (confirmed >= expected) {
      const over = confirmed - expected;
      const reason =
        over === 0
          ? `Received ${formatBtc(confirmed)} BTC of ${formatBtc(expected)} BTC asked: the package's ${packageCredits} credits.`
          : `Received ${formatBtc(confirmed)} BTC, ${formatBtc(over)} BTC more than the ${formatBtc(expected)} BTC asked: ` +
            `the package's ${packageCredits} credits; an overpayment does not buy more credits.`;
      return {
        kind: 'credit',
        ...amounts,
        credits,
        totalCredits: due,
        coverage: over === 0 ? 'full' : 'overpaid',
        reason: reason + before + waiting,
      };
    }
    const reason =
      `Underpaid: received ${formatBtc(confirmed)} BTC of ${formatBtc(expected)} BTC asked (${percent(confirmed, expected)}), ` +
      `so ${due} of the package's ${packageCredits} credits, in proportion and rounded down.`;
    return { kind: 'credit', ...amounts, credits, totalCredits: due, coverage: 'partial', reason: reason + before + waiting };
  }
  if (unconfirmed > 0 && confirmed < expected) {
    const counted = confirmed > 0 ? ` ${formatBtc(confirmed)} BTC confirmed so far (${creditedSoFar} credits).` : '';
    return { kind: 'pending', ...amounts, reason: `Payment seen.${counted}${waiting}` };
  }
  if (due < creditedSoFar) {
    return {
      kind: 'nothing',
      ...amounts,
      reason: `${creditedSoFar} credits were given, more than the ${due} now due for ${formatBtc(confirmed)} BTC confirmed; nothing is taken back here.`,
    };
  }
  if (due === 0) {
    return { kind: 'nothing', ...amounts, reason: `Received ${formatBtc(confirmed)} BTC, worth less than one credit of this package.` };
  }
  return { kind: 'nothing', ...amounts, reason: `Already credited: ${creditedSoFar} credits for ${formatBtc(confirmed)} BTC received.` };
}

/** One entry per txid: its highest status; at equal status the smaller amount and any rbf flag (the cautious reading). */
function latestPerTransaction(transactions: readonly ObservedTransaction[]): ObservedTransaction[] {
  const byTxid = new Map<string, ObservedTransaction>();
  for (const tx of transactions) {
    if (!isSatoshis(tx.satoshis)) throw new RangeError(`Transaction ${tx.txid}: not a number of satoshis: ${tx.satoshis}`);
    const txid = tx.txid.toLowerCase();
    const seen = byTxid.get(txid);
    if (!seen || tx.status > seen.status) byTxid.set(txid, { ...tx, txid });
    else if (tx.status === seen.status) {
      byTxid.set(txid, { ...seen, satoshis: Math.min(seen.satoshis, tx.satoshis), rbf: seen.rbf || tx.rbf });
    }
  }
  return [...byTxid.values()];
}

/** `50.00 %`, rounded down to hundredths. */
function percent(part: number, whole: number): string {
  const hundredths = (BigInt(part) * 10_000n) / BigInt(whole);
  return `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')} %`;
}
