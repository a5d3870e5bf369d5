import { randomUUID } from 'node:crypto';
import { findAccountByEmail } from '../modules/accounts/index.ts';
import { balanceOf, grantCredits, type LedgerReport, verifyLedger } from '../modules/ledger/index.ts';
import { commandCtx, requireString } from './admin.ts';
import { type CommandDefinition, EXIT, UsageError } from './types.ts';

export const creditsGrantCommand: CommandDefinition = {
  path: ['credits', 'grant'],
  summary: 'Give credits to an account (audited)',
  usage: 'otpbox credits grant --email E --amount N --reason TEXT',
  options: { email: { type: 'string' }, amount: { type: 'string' }, reason: { type: 'string' } },
  async run(ctx, args, io) {
    const email = requireString(args.values.email, 'email');
    const rawAmount = requireString(args.values.amount, 'amount');
    const reason = requireString(args.values.reason, 'reason');
    if (!/^\d{1,12}$/.test(rawAmount) || Number(rawAmount) < 1) throw new UsageError('--amount must be a positive whole number of credits');
    if (reason.length > 500) throw new UsageError('--reason must be at most 500 characters');
    const dctx = commandCtx(ctx);
    const account = await findAccountByEmail(dctx, email);
    const amount = Number(rawAmount);
    const { transfer } = await grantCredits(dctx, {
      accountId: account.id,
      amount,
      reason: `Credits from the operator: ${reason}`,
      idempotencyKey: `grant:cli:${randomUUID()}`,
      metadata: { source: 'cli' },
    });
    const balance = await balanceOf(dctx.db, account.id);
    io.stdout(
      `Granted ${amount} credits to ${account.email} (${transfer.id}). Available now: ${balance.available}, held: ${balance.held}.\n`,
    );
    return EXIT.ok;
  },
};

export const ledgerVerifyCommand: CommandDefinition = {
  path: ['ledger', 'verify'],
  summary: 'Check every ledger invariant; exits 1 naming the violations',
  usage: 'otpbox ledger verify',
  async run(ctx, _args, io) {
    const report = await verifyLedger(ctx.database.db, ctx.clock.now());
    io.stdout(describeLedger(report.summary));
    if (report.ok) {
      io.stdout(
        'All invariants hold: conservation, balanced transfers, cached balances, no negative wallets, holds resolved at most once, demo credits kept apart.\n',
      );
      return EXIT.ok;
    }
    io.stderr(`${report.violations.length} violation(s)${report.violations.length >= 20 ? ' (the first 20)' : ''}:\n`);
    for (const violation of report.violations) io.stderr(`  - ${violation}\n`);
    return EXIT.failure;
  },
};

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The ledger's summary in an operator's words: customers and their credits first, the bookkeeping after. */
export function describeLedger(s: LedgerReport['summary']): string {
  const held = s.openHolds > 0 ? ` (${s.openHoldCredits} of them reserved by ${plural(s.openHolds, 'open order')})` : '';
  return (
    `${plural(s.customers, 'customer')} ${s.customers === 1 ? 'holds' : 'hold'} ${plural(s.walletCredits, 'credit')}${held}` +
    (s.walletsInDebt > 0 ? `; ${plural(s.walletsInDebt, 'wallet')} in debt after chargebacks` : '') +
    '.\n' +
    (s.demoWallets > 0 ? `Demo credits (sandbox numbers only): ${s.demoCredits} in ${plural(s.demoWallets, 'wallet')}.\n` : '') +
    `Checked ${plural(s.transfers, 'transfer')} and ${plural(s.entries, 'entry', 'entries')} across ${plural(s.wallets + s.demoWallets, 'customer wallet')} ` +
    `and ${plural(s.systemAccounts, 'system account')} (kept as ${s.systemStripes} rows, ADR 12).\n`
  );
}
