import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  basisPointsToPercent,
  type CatalogRule,
  changeCatalogRule,
  countryByCode,
  listCatalogRules,
  percentToBasisPoints,
  resolveTarget,
  serviceByCode,
} from '../../modules/catalog/index.ts';
import type { AppDeps } from '../app.ts';
import { ADMIN, principalOf, STAFF } from '../auth.ts';
import { Text } from '../schemas.ts';
import { Reason } from './admin-providers.ts';

const Rule = z
  .object({
    id: z.string(),
    scope: z.enum(['service', 'country', 'pair']),
    service: z.string().nullable(),
    country: z.string().nullable(),
    /** "Telegram", "Indonesia", "Telegram in Indonesia". */
    label: z.string(),
    disabled: z.boolean(),
    priceCredits: z.number().int().nullable().describe('A fixed selling price in credits'),
    markupPercent: z.string().nullable().describe('A markup replacing the providers’, percent'),
  })
  .meta({ id: 'AdminCatalogRule' });

const labelOf = (rule: Pick<CatalogRule, 'service' | 'country'>) => {
  const service = rule.service ? (serviceByCode(rule.service)?.name ?? rule.service) : undefined;
  const country = rule.country ? (countryByCode(rule.country)?.name ?? rule.country) : undefined;
  return service && country ? `${service} in ${country}` : (service ?? country ?? '');
};

const toRule = (rule: CatalogRule) => ({
  id: rule.id,
  scope: rule.scope,
  service: rule.service,
  country: rule.country,
  label: labelOf(rule),
  disabled: rule.disabled,
  priceCredits: rule.priceCredits,
  markupPercent: rule.markupBasisPoints === null ? null : basisPointsToPercent(rule.markupBasisPoints),
});

const ServiceCode = Text.trim().min(1).max(32);
const CountryCode = Text.trim().length(2);

/**
 * The console's Catalog page (ADR 35): the operator's rules (support and admin read, admins change,
 * through `changeCatalogRule` as `otpbox catalog …` does: one transaction with its audit row and the
 * reason, announced so every instance reprices at once), and a price preview read from the live
 * in-memory catalog — the same priced offers, in the same order, that an order is sold from.
 */
export const adminCatalogRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];
  const catalog = deps.activations.catalog;

  app.get(
    '/api/v1/admin/catalog/rules',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'The catalog rules: services, countries and pairs not sold, fixed prices and markups (support, admin)',
        response: { 200: z.object({ rules: z.array(Rule) }) },
      },
    },
    async (request) => ({ rules: (await listCatalogRules(request.ctx.db)).map(toRule) }),
  );

  app.post(
    '/api/v1/admin/catalog/rules',
    {
      config: { access: ADMIN, errors: ['VALIDATION_FAILED'] },
      schema: {
        tags,
        summary: 'Change the rule of a service, a country or a pair: disable or enable it, fix its price, replace its markup (admin)',
        description:
          'What is absent stays as it was; `null` clears a fixed price or a markup. A rule left with nothing to say is deleted ' +
          '(`rule` is then null). Every instance reprices at once. The most specific rule wins: a pair, then a service, then a country.',
        body: z.object({
          service: ServiceCode.optional(),
          country: CountryCode.optional(),
          disabled: z.boolean().optional(),
          priceCredits: z.number().int().min(1).max(1_000_000).nullable().optional(),
          markupPercent: Text.trim()
            .regex(/^-?\d{1,4}(\.\d{1,2})?$/, 'a percentage with at most two decimals')
            .nullable()
            .optional(),
          reason: Reason,
        }),
        response: { 200: z.object({ label: z.string(), rule: Rule.nullable() }) },
      },
    },
    async (request) => {
      const { service, country, disabled, priceCredits, markupPercent, reason } = request.body;
      const markupBasisPoints =
        markupPercent === undefined ? undefined : markupPercent === null ? null : percentToBasisPoints(markupPercent);
      const ctx = { ...request.ctx, actor: principalOf(request).accountId };
      const changed = await changeCatalogRule(ctx, { service, country }, { disabled, priceCredits, markupBasisPoints }, reason);
      return { label: changed.target.label, rule: changed.rule ? toRule(changed.rule) : null };
    },
  );

  app.get(
    '/api/v1/admin/catalog/preview',
    {
      config: { access: STAFF, errors: ['VALIDATION_FAILED'] },
      schema: {
        tags,
        summary: 'What a customer pays for a service in a country at each provider now, and which offer wins (support, admin)',
        description:
          'Read from the live catalog every order is sold from: the offers in the order they are tried (in stock first, cheapest, ' +
          'then by provider priority), each priced under its provider’s terms and the catalog rules. A pair a rule disables has none.',
        querystring: z.object({ service: ServiceCode, country: CountryCode }),
        response: {
          200: z.object({
            label: z.string(),
            service: z.string(),
            country: z.string(),
            sold: z.boolean().describe('False when a rule disables it'),
            rules: z.array(Rule).describe('The rules that apply, most specific first'),
            offers: z.array(
              z.object({
                provider: z.string(),
                cost: z.number().describe('What the provider charges, in its currency (decimal)'),
                currency: z.string(),
                markupPercent: z.string().nullable(),
                feeCredits: z.number().int().nullable(),
                priority: z.number().int().nullable(),
                price: z.number().int().describe('What the customer pays, in credits'),
                inStock: z.number().int(),
                wins: z.boolean().describe('The offer an order is sold from first'),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const target = resolveTarget({ service: request.query.service, country: request.query.country });
      const service = target.service as string;
      const country = target.country as string;
      const rules = catalog.rules.rules
        .filter(
          (rule) =>
            (rule.scope === 'pair' && rule.service === service && rule.country === country) ||
            (rule.scope === 'service' && rule.service === service) ||
            (rule.scope === 'country' && rule.country === country),
        )
        .sort((a, b) => ['pair', 'service', 'country'].indexOf(a.scope) - ['pair', 'service', 'country'].indexOf(b.scope));
      const offers = catalog.offers(service, country);
      return {
        label: target.label,
        service,
        country,
        sold: !catalog.rules.disabled(service, country),
        rules: rules.map(toRule),
        offers: offers.map((offer, index) => {
          const terms = catalog.terms(offer.provider.name);
          return {
            provider: offer.provider.name,
            cost: offer.cost / 1_000_000,
            currency: offer.currency,
            markupPercent: terms ? basisPointsToPercent(terms.markupBasisPoints) : null,
            feeCredits: terms?.feeCredits ?? null,
            priority: terms?.priority ?? null,
            price: offer.price,
            inStock: offer.count,
            wins: index === 0 && offer.count > 0,
          };
        }),
      };
    },
  );
};
