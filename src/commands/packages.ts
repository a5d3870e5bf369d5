import { addPackage, disablePackage, listPackages, toPackageView } from '../modules/payments/index.ts';
import { commandCtx, requireString } from './admin.ts';
import { formatTable } from './table.ts';
import { type CommandDefinition, EXIT, UsageError } from './types.ts';

function wholeNumber(value: unknown, option: string): number {
  const text = requireString(value, option);
  if (!/^\d{1,13}$/.test(text) || Number(text) < 1) throw new UsageError(`--${option} must be a positive whole number`);
  return Number(text);
}

/** A price in minor units as people read it: 999 USD → "9.99 USD" (the currency's own number of decimals). */
export function formatPrice(minor: number, currency: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`;
}

export const packagesAddCommand: CommandDefinition = {
  path: ['packages', 'add'],
  summary: 'Sell a pack of credits (or, with --interval, a plan that grants them every period)',
  usage: 'otpbox packages add --code CODE --credits N --price MINOR --currency CUR [--store-product ID] [--interval month|year]',
  options: {
    code: { type: 'string' },
    credits: { type: 'string' },
    price: { type: 'string' },
    currency: { type: 'string' },
    'store-product': { type: 'string' },
    interval: { type: 'string' },
  },
  async run(ctx, args, io) {
    const v = args.values;
    const interval = v.interval === undefined ? undefined : requireString(v.interval, 'interval');
    if (interval !== undefined && interval !== 'month' && interval !== 'year') throw new UsageError('--interval must be month or year');
    const storeProduct = v['store-product'] === undefined ? undefined : requireString(v['store-product'], 'store-product');
    const row = await addPackage(commandCtx(ctx), {
      code: requireString(v.code, 'code'),
      credits: wholeNumber(v.credits, 'credits'),
      priceMinor: wholeNumber(v.price, 'price'),
      currency: requireString(v.currency, 'currency'),
      interval,
      storeProductId: storeProduct,
    });
    io.stdout(
      `Added package ${row.code} (${row.id}): ${row.credits} credits for ${formatPrice(row.priceMinor, row.currency)}` +
        `${row.interval ? ` every ${row.interval}` : ''}${row.storeProductId ? `, store product ${row.storeProductId}` : ''}.\n`,
    );
    return EXIT.ok;
  },
};

export const packagesListCommand: CommandDefinition = {
  path: ['packages', 'list'],
  summary: 'List the credit packages and plans, on sale or disabled',
  usage: 'otpbox packages list [--json]',
  options: { json: { type: 'boolean' } },
  async run(ctx, args, io) {
    const rows = await listPackages(ctx.database.db, { activeOnly: false });
    const listed = rows.map((row) => ({ ...toPackageView(row), active: row.active, createdAt: row.createdAt.toISOString() }));
    if (args.values.json) {
      io.stdout(`${JSON.stringify(listed, null, 2)}\n`);
      return EXIT.ok;
    }
    if (listed.length === 0) {
      io.stdout('No packages: customers cannot buy credits. Add one with `otpbox packages add`.\n');
      return EXIT.ok;
    }
    const table = [
      ['CODE', 'CREDITS', 'PRICE', 'EVERY', 'STORE PRODUCT', 'STATUS'],
      ...listed.map((p) => [
        p.code,
        String(p.credits),
        formatPrice(p.price, p.currency),
        p.interval ?? '-',
        p.storeProduct ?? '-',
        p.active ? 'on sale' : 'disabled',
      ]),
    ];
    io.stdout(formatTable(table));
    return EXIT.ok;
  },
};

export const packagesDisableCommand: CommandDefinition = {
  path: ['packages', 'disable'],
  summary: 'Stop selling a package (payments already made keep it)',
  usage: 'otpbox packages disable CODE',
  allowPositionals: true,
  async run(ctx, args, io) {
    const [code, extra] = args.positionals;
    if (!code || extra !== undefined) throw new UsageError('name exactly one package code');
    const { disabled } = await disablePackage(commandCtx(ctx), code);
    io.stdout(disabled ? `Package ${code} is no longer on sale.\n` : `Package ${code} was already disabled.\n`);
    return EXIT.ok;
  },
};
