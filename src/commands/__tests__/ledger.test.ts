import { describe, expect, it } from 'vitest';
import { describeLedger } from '../ledger.ts';

const summary = {
  customers: 2,
  wallets: 2,
  demoWallets: 0,
  systemAccounts: 9,
  systemStripes: 288,
  transfers: 12,
  entries: 30,
  walletCredits: 1500,
  demoCredits: 0,
  openHolds: 0,
  openHoldCredits: 0,
  walletsInDebt: 0,
};

describe('otpbox ledger verify: the summary in an operator’s words', () => {
  it('customers and their credits first, then what was checked (not "194 accounts (2 wallets)")', () => {
    expect(describeLedger(summary)).toBe(
      '2 customers hold 1500 credits.\n' +
        'Checked 12 transfers and 30 entries across 2 customer wallets and 9 system accounts (kept as 288 rows, ADR 12).\n',
    );
  });

  it('open orders, debts and demo credits when there are any, in the singular where it is one', () => {
    expect(
      describeLedger({
        ...summary,
        customers: 1,
        wallets: 1,
        demoWallets: 1,
        demoCredits: 400,
        openHolds: 1,
        openHoldCredits: 17,
        walletsInDebt: 1,
        transfers: 1,
        entries: 2,
      }),
    ).toBe(
      '1 customer holds 1500 credits (17 of them reserved by 1 open order); 1 wallet in debt after chargebacks.\n' +
        'Demo credits (sandbox numbers only): 400 in 1 wallet.\n' +
        'Checked 1 transfer and 2 entries across 2 customer wallets and 9 system accounts (kept as 288 rows, ADR 12).\n',
    );
  });
});
