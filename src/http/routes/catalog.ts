import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../lib/errors.ts';
import {
  aliasesOf,
  COUNTRIES,
  Country,
  countryByCode,
  iconSprite,
  iconSpriteUrl,
  Price,
  SERVICES,
  Service,
  searchCountries,
  searchServices,
  serviceByCode,
  serviceIconSvg,
} from '../../modules/catalog/index.ts';
import type { AppDeps } from '../app.ts';
import { Text } from '../schemas.ts';

const SEARCH = Text.max(100).describe(
  'Search: names and aliases that start with it or have a word that does, best first (case and accents ignored)',
);

/** The catalog, read from memory (refreshed by the catalog-sync job): fast, and public. */
export const catalogRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['catalog'];
  const catalog = deps.activations.catalog;

  app.get(
    '/api/v1/services',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Services you can get a number for',
        querystring: z.object({ q: SEARCH.optional() }),
        response: {
          200: z.object({
            services: z.array(Service),
            iconSprite: z
              .string()
              .describe('URL of one SVG with every brand icon, a <symbol> per service code (`<use href="…#tg">`); cached as immutable'),
          }),
        },
      },
    },
    async (request) => {
      const services = (request.query.q ? searchServices(request.query.q) : SERVICES).filter(
        (service) => !catalog.rules.serviceDisabled(service.code),
      );
      return {
        services: services.map((service) => ({
          code: service.code,
          name: service.name,
          aliases: service.aliases,
          icon: service.icon ? `/api/v1/services/${service.code}/icon.svg` : null,
          color: service.color,
          ...catalog.serviceAvailability(service.code),
        })),
        iconSprite: iconSpriteUrl(),
      };
    },
  );

  app.get(
    '/api/v1/services/:code/icon.svg',
    {
      config: { access: 'public' },
      schema: { tags, summary: "A service's brand icon (SVG)", params: z.object({ code: Text.max(10) }) },
    },
    async (request, reply) => {
      const svg = serviceIconSvg(request.params.code);
      if (!svg) throw new DomainError('NOT_FOUND', 'This service has no icon.');
      return reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(svg);
    },
  );

  app.get(
    '/api/v1/services/icons/:file',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Every brand icon in one SVG (the URL the services list gives)',
        description:
          'One `<symbol id="<service code>">` per service with an icon. The hash in the URL is of the content, so the answer never changes: it is cached for a year as immutable, and a new catalog gets a new URL.',
        params: z.object({ file: Text.max(64).describe('`<hash of the content>.svg`') }),
      },
    },
    async (request, reply) => {
      const sprite = iconSprite();
      if (request.params.file !== `${sprite.hash}.svg`)
        throw new DomainError('NOT_FOUND', 'These icons are not (or no longer) served: read the URL from /api/v1/services.');
      const etag = `"${sprite.hash}"`;
      reply.header('cache-control', 'public, max-age=31536000, immutable').header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type('image/svg+xml').send(sprite.svg);
    },
  );

  app.get(
    '/api/v1/countries',
    {
      config: { access: 'public', errors: ['UNKNOWN_SERVICE'] },
      schema: {
        tags,
        summary: 'Countries, with stock and the cheapest price (for one service when given)',
        querystring: z.object({ service: Text.max(10).optional(), q: SEARCH.optional() }),
        response: { 200: z.object({ countries: z.array(Country) }) },
      },
    },
    async (request) => {
      const { service, q } = request.query;
      if (service && !serviceByCode(service)) throw new DomainError('UNKNOWN_SERVICE', `There is no service with the code "${service}".`);
      const countries = (q ? searchCountries(q) : COUNTRIES).filter((country) => !catalog.rules.countryDisabled(country.code));
      return {
        countries: countries.map((country) => ({
          code: country.code,
          name: country.name,
          dialCode: country.dialCode,
          aliases: [...aliasesOf(country.code)],
          flag: country.flag,
          ...catalog.countryAvailability(country.code, service),
        })),
      };
    },
  );

  app.get(
    '/api/v1/prices',
    {
      config: { access: 'public', errors: ['UNKNOWN_SERVICE', 'UNKNOWN_COUNTRY'] },
      schema: {
        tags,
        summary: 'Prices in credits per service and country (filter by either)',
        querystring: z.object({
          service: Text.trim().toLowerCase().max(10).optional(),
          country: Text.trim().toUpperCase().length(2).optional(),
        }),
        response: { 200: z.object({ prices: z.array(Price) }) },
      },
    },
    async (request) => {
      const { service, country } = request.query;
      if (service && !serviceByCode(service)) throw new DomainError('UNKNOWN_SERVICE', `There is no service with the code "${service}".`);
      if (country && !countryByCode(country)) throw new DomainError('UNKNOWN_COUNTRY', `"${country}" is not a country we know.`);
      const best = service && country ? catalog.offers(service, country).slice(0, 1) : catalog.all();
      return {
        prices: best
          .filter((o) => (!service || o.service === service) && (!country || o.country === country))
          .map((o) => {
            const stock = catalog.countryAvailability(o.country, o.service);
            return { service: o.service, country: o.country, price: stock.fromPrice ?? o.price, available: stock.available };
          }),
      };
    },
  );
};
