import {
  basisPointsToPercent,
  type CatalogRule,
  changeCatalogRule,
  countryByCode,
  listCatalogRules,
  percentToBasisPoints,
  type RuleChange,
  type RuleTarget,
  serviceByCode,
} from '../modules/catalog/index.ts';
import { commandCtx } from './admin.ts';
import { type CommandContext, type CommandDefinition, type CommandIO, EXIT, type ParsedArgs, UsageError } from './types.ts';

const TARGET_OPTIONS = { service: { type: 'string' }, country: { type: 'string' } } as const;
const TARGET_USAGE = '[--service CODE] [--country CC]';

function targetOf(args: ParsedArgs): RuleTarget {
  const service = typeof args.values.service === 'string' ? args.values.service : undefined;
  const country = typeof args.values.country === 'string' ? args.values.country : undefined;
  if (!service && !country) throw new UsageError('name a --service (e.g. tg), a --country (e.g. ID), or both for one pair');
  return { service, country };
}

const describe = (rule: CatalogRule | undefined): string => {
  if (!rule) return 'no rule: sold as the providers price it';
  const parts: string[] = [];
  if (rule.disabled) parts.push('not sold');
  if (rule.priceCredits !== null) parts.push(`fixed price ${rule.priceCredits} credits`);
  if (rule.markupBasisPoints !== null) parts.push(`markup ${basisPointsToPercent(rule.markupBasisPoints)} %`);
  return parts.join(', ');
};

async function apply(ctx: CommandContext, args: ParsedArgs, io: CommandIO, change: RuleChange) {
  const { target, rule } = await changeCatalogRule(commandCtx(ctx), targetOf(args), change);
  io.stdout(`${target.label}: ${describe(rule)}. Every running instance reprices at once.\n`);
  return EXIT.ok;
}

export const catalogDisableCommand: CommandDefinition = {
  path: ['catalog', 'disable'],
  summary: 'Stop selling a service, a country, or one service in one country',
  usage: `otpbox catalog disable ${TARGET_USAGE}`,
  options: TARGET_OPTIONS,
  run: (ctx, args, io) => apply(ctx, args, io, { disabled: true }),
};

export const catalogEnableCommand: CommandDefinition = {
  path: ['catalog', 'enable'],
  summary: 'Sell again what `catalog disable` stopped',
  usage: `otpbox catalog enable ${TARGET_USAGE}`,
  options: TARGET_OPTIONS,
  run: (ctx, args, io) => apply(ctx, args, io, { disabled: false }),
};

export const catalogPriceCommand: CommandDefinition = {
  path: ['catalog', 'price'],
  summary: 'Fix the selling price or the markup of a service, a country or a pair (or reset it)',
  usage: `otpbox catalog price ${TARGET_USAGE} (--credits N | --markup-percent P | --reset)`,
  options: { ...TARGET_OPTIONS, credits: { type: 'string' }, 'markup-percent': { type: 'string' }, reset: { type: 'boolean' } },
  async run(ctx, args, io) {
    const v = args.values;
    const given = [v.credits !== undefined, v['markup-percent'] !== undefined, v.reset === true].filter(Boolean).length;
    if (given !== 1) throw new UsageError('give exactly one of --credits N (a fixed price), --markup-percent P, or --reset');
    // A fixed price and a markup exclude each other in one rule, so that the listing says what is charged.
    if (v.reset) return apply(ctx, args, io, { priceCredits: null, markupBasisPoints: null });
    if (typeof v.credits === 'string') {
      if (!/^\d{1,7}$/.test(v.credits.trim())) throw new UsageError('--credits must be a whole number of credits (e.g. 25)');
      return apply(ctx, args, io, { priceCredits: Number(v.credits.trim()), markupBasisPoints: null });
    }
    const markup = percentToBasisPoints(String(v['markup-percent']));
    if (markup === undefined) throw new UsageError('--markup-percent must be a percentage with at most two decimals (e.g. 25 or 12.5)');
    return apply(ctx, args, io, { priceCredits: null, markupBasisPoints: markup });
  },
};

export const catalogRulesCommand: CommandDefinition = {
  path: ['catalog', 'rules'],
  summary: 'List the catalog rules: what is not sold, and prices or markups set by hand',
  usage: 'otpbox catalog rules [--json]',
  options: { json: { type: 'boolean' } },
  async run(ctx, args, io) {
    const rules = await listCatalogRules(ctx.database.db);
    const listed = rules.map((rule) => ({
      scope: rule.scope,
      service: rule.service,
      country: rule.country,
      disabled: rule.disabled,
      priceCredits: rule.priceCredits,
      markupPercent: rule.markupBasisPoints === null ? null : basisPointsToPercent(rule.markupBasisPoints),
    }));
    if (args.values.json) {
      io.stdout(`${JSON.stringify(listed, null, 2)}\n`);
      return EXIT.ok;
    }
    if (rules.length === 0) {
      io.stdout('No catalog rules: every service and country the providers offer is sold at their price with their markup.\n');
      return EXIT.ok;
    }
    for (const rule of rules) {
      const service = rule.service ? `${serviceByCode(rule.service)?.name ?? rule.service} (${rule.service})` : 'every service';
      const country = rule.country ? `${countryByCode(rule.country)?.name ?? rule.country} (${rule.country})` : 'every country';
      io.stdout(`${service}, ${country}: ${describe(rule)}\n`);
    }
    io.stdout('The most specific rule wins: a pair, then a service, then a country; a disabled one is never sold.\n');
    return EXIT.ok;
  },
};
