import { listAllPayments, refundPayment } from '../modules/payments/index.ts';
import { paymentProcessors } from '../runtime/payment-processors.ts';
import { commandCtx, requireString } from './admin.ts';
import { formatPrice } from './packages.ts';
import { formatTable } from './table.ts';
import { type CommandDefinition, EXIT, UsageError } from './types.ts';

/** The most payments one listing shows (newest first). */
const LIST_LIMIT = 10_000;

export const paymentsListCommand: CommandDefinition = {
  path: ['payments', 'list'],
  summary: 'List payments, newest first: status, method, amount, credits and customer',
  usage: 'otpbox payments list [--json]',
  options: { json: { type: 'boolean' } },
  async run(ctx, args, io) {
    const rows = await listAllPayments(commandCtx(ctx), LIST_LIMIT);
    const listed = rows.map((row) => ({
      id: row.id,
      status: row.status,
      method: row.method,
      package: row.packageCode,
      credits: row.credits,
      amount: row.amountMinor,
      currency: row.currency,
      processor: row.processor,
      processorRef: row.processorRef,
      accountId: row.accountId,
      email: row.email,
      createdAt: row.createdAt.toISOString(),
      paidAt: row.paidAt?.toISOString() ?? null,
      refunded: row.refundedMinor,
      dispute: row.disputeStatus,
      creditsTakenBack: row.creditsReversed,
    }));
    if (args.values.json) {
      io.stdout(`${JSON.stringify(listed, null, 2)}\n`);
      return EXIT.ok;
    }
    if (listed.length === 0) {
      io.stdout('No payments yet.\n');
      return EXIT.ok;
    }
    const table = [
      ['ID', 'CREATED', 'STATUS', 'METHOD', 'PACKAGE', 'CREDITS', 'AMOUNT', 'CUSTOMER'],
      ...listed.map((p) => [
        p.id,
        p.createdAt.replace('T', ' ').slice(0, 19),
        p.status + (p.dispute === 'open' ? ' (dispute open)' : p.creditsTakenBack > 0 ? ` (-${p.creditsTakenBack} credits)` : ''),
        p.method,
        p.package,
        String(p.credits),
        formatPrice(p.amount, p.currency),
        p.email ?? p.accountId,
      ]),
    ];
    io.stdout(formatTable(table));
    if (rows.length === LIST_LIMIT) io.stdout(`(the newest ${LIST_LIMIT} payments)\n`);
    return EXIT.ok;
  },
};

/** `--amount 250`: a whole, positive number of minor units (cents). */
function minorUnits(text: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(text))
    throw new UsageError('--amount must be a whole, positive number of minor units (cents): 250 for 2.50');
  return Number(text);
}

export const paymentsRefundCommand: CommandDefinition = {
  path: ['payments', 'refund'],
  summary: 'Refund a card payment through Stripe, in full or in part; its credits are taken back in proportion (audited)',
  usage: 'otpbox payments refund ID --reason TEXT [--amount MINOR]',
  options: { reason: { type: 'string' }, amount: { type: 'string' } },
  allowPositionals: true,
  async run(ctx, args, io) {
    const [id, extra] = args.positionals;
    if (!id || extra !== undefined) throw new UsageError('name exactly one payment id');
    const reason = requireString(args.values.reason, 'reason');
    if (reason.length > 500) throw new UsageError('--reason must be at most 500 characters');
    const amount = args.values.amount === undefined ? undefined : minorUnits(requireString(args.values.amount, 'amount'));
    const outcome = await refundPayment(commandCtx(ctx), await paymentProcessors(ctx.config), id, reason, { amountMinor: amount });
    const taken = -outcome.creditsMoved;
    const { payment } = outcome;
    const whole = payment.refundedMinor >= payment.amountMinor;
    const how = whole
      ? formatPrice(outcome.refundedMinor, payment.currency)
      : `${formatPrice(outcome.refundedMinor, payment.currency)} of ${formatPrice(payment.amountMinor, payment.currency)}`;
    io.stdout(
      `Refunded ${id} (${how}, Stripe ${outcome.refundId}). ` +
        `${taken > 0 ? `${taken} credits taken back` : 'Its credits had already been taken back'}; the payment is ${outcome.payment.status}.\n`,
    );
    return EXIT.ok;
  },
};
