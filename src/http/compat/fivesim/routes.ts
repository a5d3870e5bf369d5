import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { isResponseSerializationError, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../../lib/errors.ts';
import { processingRestricted } from '../../../modules/accounts/index.ts';
import {
  cancelActivation,
  createActivation,
  createWithIdempotencyKey,
  finishActivation,
  type KeyedCreation,
  type OpenedOrder,
  openOrders,
  pageActivations,
  smsOf,
} from '../../../modules/activations/index.ts';
import type { Ctx } from '../../../modules/context.ts';
import { balancesOf } from '../../../modules/ledger/index.ts';
import { isoFromFivesimCountry, serviceFromFivesimProduct } from '../../../provider-clients/fivesim/names.ts';
import type { OrderRouteDeps } from '../../app.ts';
import { principalOf } from '../../auth.ts';
import { toDomainError } from '../../errors.ts';
import { Text } from '../../schemas.ts';
import { orderNumberOf } from '../numbered-orders.ts';
import { ceilingCredits } from '../price-ceiling.ts';
import { guestCountries, guestPrices, guestProducts } from './guest.ts';
import { fivesimOrder, toUnits } from './order-view.ts';
import { type Call, FivesimRefusal, refusalOf, sendRefusal } from './refusals.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which 5sim call a route answers: its refusals are worded per call (refusals.ts). */
    fivesimCall?: Call;
  }
}

/** The base URL a 5sim client is pointed at: `PUBLIC_URL/compat/5sim/v1`. */
export const FIVESIM_BASE = '/compat/5sim/v1';

const Name = Text.max(100);
const IdParams = z.object({ id: Text.max(64) });
const ORDERS_DEFAULT_LIMIT = 15;
const ORDERS_MAX_LIMIT = 500;

/**
 * The 5sim-compatible REST API (issue 18, ADR 30): 5sim's paths, parameters, JSON shapes, statuses
 * and refusal texts over our own orders, ledger and limits. Nothing here is a second order system:
 * each route calls the verb the REST API calls (an order bought here is an ordinary order), and the
 * auth hook (auth.ts) applies the same API keys, suspension and rate limits — by bearer key only.
 * Hidden from /openapi.json: 5sim's own documentation is the reference for these routes.
 */
export const fivesimRoutes: FastifyPluginAsync<OrderRouteDeps> = async (fastify, deps) => {
  await fastify.register(async (scope) => routes(scope, deps), { prefix: FIVESIM_BASE });
};

async function routes(scope: FastifyInstance, deps: OrderRouteDeps) {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const catalog = deps.activations.catalog;
  const perUsd = deps.config.creditsPerUsd;
  const now = () => deps.clock.now().getTime();
  /** An order in 5sim's shape, under its number (`fresh`: the answer to its buy). */
  const format = (order: OpenedOrder, number: number, fresh = false) =>
    fivesimOrder(order, number, { ephemeral: deps.activations.ephemeral, nowMs: now(), creditsPerUsd: perUsd, fresh });
  /** Orders by their numbers: the same numbers SMS-Activate's side gives and reads (order_numbers). */
  const numbered = deps.numbered;
  /** The order a path's `{id}` names: a number given to an order, or 5sim's "order not found". */
  const numberIn = (id: string) => {
    const number = orderNumberOf(id);
    if (number === undefined) throw new DomainError('NOT_FOUND', 'No such activation.');
    return number;
  };
  /** A new order in 5sim's shape: given its number now. */
  const bought = async (ctx: Ctx, order: OpenedOrder, placedNow: boolean) =>
    format(order, await numbered.numberOf(ctx, order.row.id), placedNow);

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof FivesimRefusal) return reply.code(error.refusal.status).type('text/plain; charset=utf-8').send(error.refusal.text);
    const domainError = toDomainError(error);
    if (domainError.code === 'INTERNAL') {
      request.log.error({ err: error }, isResponseSerializationError(error) ? 'response does not match its schema' : 'unhandled error');
    }
    return sendRefusal(request, reply, domainError, request.routeOptions.config?.fivesimCall ?? 'guest');
  });
  // 5sim authenticates by API key, and so does this API (as handler_api.php does): an app's device
  // token is refused on the user endpoints like any other credential that is not a key.
  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.config?.fivesimCall === 'guest') return;
    if (request.principal && request.principal.via !== 'api_key')
      throw new DomainError('UNAUTHENTICATED', 'Use an API key (otp_live_…) here.');
  });
  // 5sim sends unknown paths to its HTML 404 page; a client gets a plain 404 here.
  app.setNotFoundHandler((_request, reply) => reply.code(404).type('text/plain; charset=utf-8').send('not found'));

  // No HEAD twin for these GETs: they change orders, and a HEAD must never buy or cancel.
  const user = (call: Call) => ({ exposeHeadRoute: false, config: { fivesimCall: call } });
  // 5sim's guest endpoints ignore a token that does not check out (clients send theirs everywhere).
  const guest = { config: { access: 'public' as const, invalidBearer: 'route' as const, fivesimCall: 'guest' as const } };

  app.get('/user/profile', { ...user('profile'), schema: { hide: true } }, async (request) => {
    const principal = principalOf(request);
    const { credits } = await balancesOf(request.ctx.db, principal.accountId);
    return {
      id: principal.accountId,
      email: principal.email ?? '',
      vendor: '',
      default_forwarding_number: '',
      balance: toUnits(credits.available, perUsd),
      // 5sim's rating is how many orders may be open at once: ours is MAX_ACTIVE_ACTIVATIONS.
      rating: deps.config.maxActiveActivations,
      default_country: { name: '', iso: '', prefix: '' },
      default_operator: { name: '' },
      frozen_balance: toUnits(credits.held, perUsd),
    };
  });

  app.get(
    '/user/buy/activation/:country/:operator/:product',
    {
      ...user('buy'),
      schema: {
        hide: true,
        params: z.object({ country: Name, operator: Name, product: Name }),
        querystring: z.object({
          maxPrice: Text.max(32).optional(),
          forwarding: Text.max(8).optional(),
          number: Text.max(32).optional(),
          reuse: Text.max(8).optional(),
          voice: Text.max(8).optional(),
          ref: Text.max(100).optional(),
        }),
        headers: z.object({
          'idempotency-key': Text.min(1)
            .max(255)
            .regex(/^[\x21-\x7e]+$/)
            .optional(),
        }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.processingRestricted) throw processingRestricted();
      const { country: countryName, operator, product } = request.params;
      const country = isoFromFivesimCountry(countryName);
      if (!country) throw new FivesimRefusal({ status: 400, text: 'bad country' });
      if (operator.trim().toLowerCase() !== 'any') throw new FivesimRefusal({ status: 400, text: 'bad operator' });
      const service = serviceFromFivesimProduct(product);
      if (!service) throw new FivesimRefusal({ status: 400, text: 'no product' });
      const { maxPrice: maxPriceText, forwarding, reuse, voice } = request.query;
      for (const [name, value] of [
        ['forwarding', forwarding],
        ['reuse', reuse],
        ['voice', voice],
      ] as const) {
        if (isOn(value)) throw new FivesimRefusal({ status: 400, text: `${name} is not supported` });
      }
      let maxPrice: number | undefined;
      if (maxPriceText !== undefined && maxPriceText !== '') {
        maxPrice = ceilingCredits(maxPriceText, perUsd);
        if (maxPrice === undefined || Number(maxPriceText) <= 0) throw new FivesimRefusal({ status: 400, text: 'bad maxPrice' });
        if (maxPrice < 1) throw new DomainError('PRICE_ABOVE_MAX', 'No number is this cheap.');
      }
      const input = { accountId: principal.accountId, service, country, ...(maxPrice ? { maxPrice } : {}) };
      const key = request.headers['idempotency-key'];
      if (!key) return bought(request.ctx, await createActivation(request.ctx, deps.activations, input), true);
      const answer = await createWithIdempotencyKey(request.ctx, deps.activations, input, key, {
        protocol: '5sim',
        // A replay whose first answer was never stored shows the order as it is now.
        order: async (order, placedNow) => ({ status: 200, body: await bought(request.ctx, order, placedNow) }),
        refusal: (error) => {
          const refusal = refusalOf(error, 'buy');
          return { status: refusal.status, body: refusal.text };
        },
      });
      return sendKeyed(reply, answer);
    },
  );

  app.get('/user/check/:id', { ...user('check'), schema: { hide: true, params: IdParams } }, async (request) => {
    const number = numberIn(request.params.id);
    return format(await numbered.order(request.ctx, principalOf(request).accountId, number), number);
  });

  for (const [action, run] of [
    ['finish', (r: Run) => finishActivation(r.ctx, deps.activations, r.accountId, r.id)],
    ['cancel', (r: Run) => cancelActivation(r.ctx, deps.activations, r.accountId, r.id)],
    ['ban', (r: Run) => cancelActivation(r.ctx, deps.activations, r.accountId, r.id, { banned: true })],
  ] as const) {
    app.get(`/user/${action}/:id`, { ...user('order'), schema: { hide: true, params: IdParams } }, async (request) => {
      const number = numberIn(request.params.id);
      const id = await numbered.idOf(request.ctx, number);
      return format(await run({ ctx: request.ctx, accountId: principalOf(request).accountId, id }), number);
    });
  }

  // 5sim's reuse buys the same number again; otpbox cannot promise a number twice (README).
  app.get(
    '/user/reuse/:product/:number',
    { ...user('buy'), schema: { hide: true, params: z.object({ product: Name, number: Name }) } },
    async () => {
      throw new FivesimRefusal({ status: 400, text: 'reuse not possible' });
    },
  );

  app.get(
    '/user/orders',
    {
      ...user('orders'),
      schema: {
        hide: true,
        querystring: z.object({
          category: Text.max(32).optional(),
          limit: Text.max(16).optional(),
          offset: Text.max(16).optional(),
          order: Text.max(32).optional(),
          reverse: Text.max(8).optional(),
        }),
      },
    },
    async (request) => {
      const { category, limit: limitText, offset: offsetText, order, reverse } = request.query;
      if (category !== 'activation' && category !== 'hosting') throw new FivesimRefusal({ status: 400, text: 'bad category' });
      const limit = wholeNumber(limitText, ORDERS_DEFAULT_LIMIT);
      if (limit === undefined || limit < 1 || limit > ORDERS_MAX_LIMIT) throw new FivesimRefusal({ status: 400, text: 'bad limit' });
      const offset = wholeNumber(offsetText, 0);
      if (offset === undefined) throw new FivesimRefusal({ status: 400, text: 'bad offset' });
      // Our ids sort by creation time: ordering by id and by creation are the same.
      if (order !== undefined && order !== '' && order !== 'id' && order !== 'created_at')
        throw new FivesimRefusal({ status: 400, text: 'bad order' });
      if (reverse !== undefined && !['', 'true', 'false', '1', '0'].includes(reverse))
        throw new FivesimRefusal({ status: 400, text: 'bad reverse' });
      // otpbox sells activations only: its hosting history is empty.
      if (category === 'hosting') return { Data: [], ProductNames: [], Statuses: [], Total: 0 };
      const accountId = principalOf(request).accountId;
      const { rows, total } = await pageActivations(request.ctx.db, { accountId, offset, limit, newestFirst: isOn(reverse) });
      const sms = await smsOf(
        request.ctx.db,
        rows.map((row) => row.id),
      );
      const opened = await openOrders(request.ctx, accountId, rows, sms);
      const numbers = await numbered.numbersOf(
        request.ctx,
        rows.map((row) => row.id),
      );
      return {
        Data: opened.map((order) => format(order, numbers.get(order.row.id) as number)),
        ProductNames: [],
        Statuses: [],
        Total: total,
      };
    },
  );

  app.get(
    '/guest/prices',
    { ...guest, schema: { hide: true, querystring: z.object({ country: Name.optional(), product: Name.optional() }) } },
    async (request) => guestPrices(catalog, perUsd, request.query),
  );
  app.get(
    '/guest/products/:country/:operator',
    { ...guest, schema: { hide: true, params: z.object({ country: Name, operator: Name }) } },
    async (request) => guestProducts(catalog, perUsd, request.params.country, request.params.operator),
  );
  app.get('/guest/countries', { ...guest, schema: { hide: true } }, async () => guestCountries(catalog));
}

interface Run {
  ctx: Ctx;
  accountId: string;
  id: string;
}

/** 5sim's flags come as `1`/`0` or `true`/`false`. */
const isOn = (value: string | undefined) => value === '1' || value === 'true';

function wholeNumber(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined || text === '') return fallback;
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/** An answer under an `Idempotency-Key`, sent as first given (an order as JSON, a refusal as text); a replay says so. */
function sendKeyed(reply: FastifyReply, answer: KeyedCreation) {
  if (answer.replayed) reply.header('idempotent-replayed', 'true');
  if (typeof answer.body === 'string') return reply.code(answer.status).type('text/plain; charset=utf-8').send(answer.body);
  return reply.code(answer.status).type('application/json; charset=utf-8').send(JSON.stringify(answer.body));
}
