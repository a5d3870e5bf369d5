import { randomUUID } from 'node:crypto';
import { findAccountByEmail } from '../modules/accounts/staff.ts';
import { balanceOf } from '../modules/ledger/accounts.ts';
import { grantCredits } from '../modules/ledger/verbs.ts';
import { verifyLedger } from '../modules/ledger/verify.ts';
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
    const s = report.summary;
    io.stdout(
      `Ledger: ${s.accounts} accounts (${s.wallets} wallets), ${s.transfers} transfers, ${s.entries} entries.\n` +
        `Customers hold ${s.walletCredits} credits; ${s.openHolds} open holds reserve ${s.openHoldCredits}; ${s.walletsInDebt} wallets in debt after chargebacks.\n`,
    );
    if (report.ok) {
      io.stdout(
        'All invariants hold: conservation, balanced transfers, cached balances, no negative wallets, holds resolved at most once.\n',
      );
      return EXIT.ok;
    }
    io.stderr(`${report.violations.length} violation(s)${report.violations.length >= 20 ? ' (the first 20)' : ''}:\n`);
    for (const violation of report.violations) io.stderr(`  - ${violation}\n`);
    return EXIT.failure;
  },
};
