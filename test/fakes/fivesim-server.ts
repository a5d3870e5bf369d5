import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake 5sim (https://5sim.net/docs) on 127.0.0.1, written from the documentation and from live
 * answers other clients recorded:
 *
 * - `GET /v1/guest/countries`, `GET /v1/guest/prices[?country&product]`: public, no token.
 * - `GET /v1/user/profile`, `/v1/user/buy/activation/{country}/{operator}/{product}[?maxPrice]`,
 *   `/v1/user/check|finish|cancel|ban/{id}`, `/v1/user/orders?category=activation&limit&offset&reverse`
 *   (`{Data, ProductNames, Statuses, Total}`): bearer token; a missing or wrong one gets 401 with an
 *   empty body.
 * - Errors are bare text: `no free phones` (HTTP 200, as 5sim sends it on buy), `not enough user
 *   balance`, `bad country`, `bad operator`, `no product`, `order has sms`, `order expired` (400),
 *   `order not found` (404 on check, 400 on the actions). An unknown route redirects to `/404.html`.
 * - Orders: bought `PENDING`, `RECEIVED` (number ready, waiting for SMS) after `preparationMs`,
 *   collecting every SMS until finished, cancelled or banned, or until `expires` (bought +
 *   `orderTtlMs`, 15 minutes by default as in the docs' example): then `TIMEOUT` (refunded) when no
 *   SMS came, `FINISHED` when one did. Cancel and ban are refused once an SMS arrived. Closing an
 *   order that is already closed answers the order unchanged.
 * - An SMS delivered to a closed order is not shown; it is kept in `lateSms` for tests to inspect.
 */

export type FakeFivesimMode = 'normal' | 'no_numbers' | 'slow' | 'down' | 'garbage' | 'bad_key' | 'no_balance' | 'rate_limited';

export interface FakeOperatorOffer {
  cost: number;
  count: number;
  rate?: number;
}

/** country → product → operator → offer, the shape of `guest/prices`. */
export type FakeCatalog = Record<string, Record<string, Record<string, FakeOperatorOffer>>>;

export interface FakeFivesimOptions {
  token?: string;
  catalog?: FakeCatalog;
  balance?: number;
  orderTtlMs?: number;
  /** How long an order stays `PENDING` before it is `RECEIVED`. */
  preparationMs?: number;
  /** The delay of `slow` mode unless `setMode` gives one. */
  slowDelayMs?: number;
  /** Milliseconds since the epoch; lets a test move time for expiry. */
  now?: () => number;
}

export type FakeOrderStatus = 'PENDING' | 'RECEIVED' | 'CANCELED' | 'TIMEOUT' | 'FINISHED' | 'BANNED';

export interface FakeSms {
  created_at: string;
  date: string;
  sender: string;
  text: string;
  code: string;
}

export interface FakeOrder {
  id: number;
  country: string;
  operator: string;
  product: string;
  phone: string;
  price: number;
  status: FakeOrderStatus;
  createdAt: number;
  expiresAt: number;
  sms: FakeSms[];
  /** SMS that arrived after the order was closed. */
  lateSms: FakeSms[];
}

export interface RecordedRequest {
  method: string;
  /** The path without the query: `/v1/user/check/1`. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
}

export interface CannedReply {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface FakeFivesim {
  /** `http://127.0.0.1:PORT/v1`, the adapter's `baseUrl`. */
  baseUrl: string;
  token: string;
  requests: RecordedRequest[];
  /** The orders, oldest first, with expiry applied as of now. */
  readonly orders: FakeOrder[];
  readonly balance: number;
  setMode(mode: FakeFivesimMode, options?: { delayMs?: number }): void;
  /** Answer the next request with this instead of the normal route (after recording it). */
  replyNext(reply: CannedReply): void;
  deliverSms(orderId: number | string, sms: { text: string; code: string; sender?: string }): 'delivered' | 'late';
  close(): Promise<void>;
}

const COUNTRIES: Record<string, { iso: string; prefix: string; text_en: string; text_ru: string }> = {
  russia: { iso: 'ru', prefix: '+7', text_en: 'Russia', text_ru: 'Россия' },
  usa: { iso: 'us', prefix: '+1', text_en: 'USA', text_ru: 'США' },
  england: { iso: 'gb', prefix: '+44', text_en: 'England', text_ru: 'Англия' },
  indonesia: { iso: 'id', prefix: '+62', text_en: 'Indonesia', text_ru: 'Индонезия' },
  germany: { iso: 'de', prefix: '+49', text_en: 'Germany', text_ru: 'Германия' },
};

export const DEFAULT_FIVESIM_CATALOG: FakeCatalog = {
  russia: {
    telegram: { mts: { cost: 12, count: 40, rate: 91.5 }, beeline: { cost: 10.5, count: 0 }, virtual4: { cost: 11, count: 7 } },
    whatsapp: { mts: { cost: 20, count: 3 } },
  },
  usa: { telegram: { virtual12: { cost: 0.25, count: 100 } }, google: { virtual12: { cost: 0.15, count: 50 } } },
  england: { google: { virtual21: { cost: 0.1, count: 0 } }, whatsapp: { virtual21: { cost: 0.4, count: 12 } } },
  indonesia: { telegram: { virtual4: { cost: 2.5, count: 1000 }, telkomsel: { cost: 1.75, count: 5 } } },
  germany: { whatsapp: { virtual21: { cost: 3.3333333, count: 2 } } },
};

const ACTIVE: ReadonlySet<FakeOrderStatus> = new Set(['PENDING', 'RECEIVED']);

export async function startFakeFivesim(options: FakeFivesimOptions = {}): Promise<FakeFivesim> {
  const token = options.token ?? `fake.${randomBytes(24).toString('base64url')}`;
  const catalog: FakeCatalog = structuredClone(options.catalog ?? DEFAULT_FIVESIM_CATALOG);
  const orderTtlMs = options.orderTtlMs ?? 15 * 60_000;
  const preparationMs = options.preparationMs ?? 0;
  const now = options.now ?? Date.now;
  const requests: RecordedRequest[] = [];
  const orders = new Map<number, FakeOrder>();
  const timers = new Set<NodeJS.Timeout>();
  const canned: CannedReply[] = [];
  let balance = options.balance ?? 100;
  let mode: FakeFivesimMode = 'normal';
  let slowDelayMs = options.slowDelayMs ?? 2_000;
  let nextId = 1_000_000;

  const round = (n: number) => Math.round(n * 1e6) / 1e6;

  /** Applies what time did to an order: preparation over, or expiry. */
  function refresh(order: FakeOrder): FakeOrder {
    const t = now();
    if (order.status === 'PENDING' && t - order.createdAt >= preparationMs) order.status = 'RECEIVED';
    if (ACTIVE.has(order.status) && t >= order.expiresAt) {
      if (order.sms.length > 0) order.status = 'FINISHED';
      else {
        order.status = 'TIMEOUT';
        balance = round(balance + order.price);
      }
    }
    return order;
  }

  function orderJson(order: FakeOrder, smsAsNull = false) {
    return {
      id: order.id,
      phone: order.phone,
      operator: order.operator,
      product: order.product,
      price: order.price,
      status: order.status,
      expires: new Date(order.expiresAt).toISOString(),
      sms: smsAsNull && order.sms.length === 0 ? null : order.sms,
      created_at: new Date(order.createdAt).toISOString(),
      forwarding: false,
      forwarding_number: '',
      country: order.country,
    };
  }

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    contentType = 'text/plain; charset=utf-8',
    extra: Record<string, string> = {},
  ) => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, { 'content-type': contentType, ...extra });
    res.end(body);
  };
  const json = (res: ServerResponse, value: unknown) => send(res, 200, JSON.stringify(value), 'application/json');
  const textReply = (res: ServerResponse, status: number, message: string) => send(res, status, message);
  const html = (res: ServerResponse, status: number, title: string) =>
    send(
      res,
      status,
      `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`,
      'text/html; charset=utf-8',
    );

  function prices(query: URLSearchParams, res: ServerResponse) {
    const country = query.get('country');
    const product = query.get('product');
    if (country !== null && !(country in catalog)) return textReply(res, 400, 'country is incorrect');
    const countries = country === null ? Object.keys(catalog) : [country];
    if (product !== null && !countries.some((c) => product in (catalog[c] ?? {}))) return textReply(res, 400, 'product is incorrect');
    if (country === null && product !== null) {
      // The docs' "prices by product" nests product first.
      const byCountry: Record<string, unknown> = {};
      for (const c of countries) {
        const offers = catalog[c]?.[product];
        if (offers) byCountry[c] = offers;
      }
      return json(res, { [product]: byCountry });
    }
    const out: Record<string, unknown> = {};
    for (const c of countries) {
      const products = catalog[c] ?? {};
      out[c] = product === null ? products : { [product]: products[product] };
    }
    return json(res, out);
  }

  function countriesList(res: ServerResponse) {
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(catalog)) {
      const info = COUNTRIES[name] ?? { iso: 'zz', prefix: '+999', text_en: name, text_ru: name };
      const operators: Record<string, { activation: 1 }> = {};
      for (const offers of Object.values(catalog[name] ?? {})) for (const op of Object.keys(offers)) operators[op] = { activation: 1 };
      out[name] = { iso: { [info.iso]: 1 }, prefix: { [info.prefix]: 1 }, text_en: info.text_en, text_ru: info.text_ru, ...operators };
    }
    json(res, out);
  }

  function buy(country: string, operator: string, product: string, query: URLSearchParams, res: ServerResponse) {
    if (mode === 'no_numbers') return textReply(res, 200, 'no free phones');
    if (mode === 'no_balance') return textReply(res, 400, 'not enough user balance');
    const products = catalog[country];
    if (!products) return textReply(res, 400, 'bad country');
    const offers = products[product];
    if (!offers) return textReply(res, 400, 'no product');
    if (operator !== 'any' && !(operator in offers)) return textReply(res, 400, 'bad operator');
    // maxPrice "shall work only if the operator value is set as any" (5sim.net/docs#purchase-request).
    const maxPriceText = query.get('maxPrice');
    const maxPrice = operator === 'any' && maxPriceText !== null ? Number(maxPriceText) : Number.POSITIVE_INFINITY;
    const candidates = Object.entries(offers)
      .filter(([name, offer]) => (operator === 'any' || name === operator) && offer.count > 0 && offer.cost <= maxPrice)
      .sort(([, a], [, b]) => a.cost - b.cost);
    const chosen = candidates[0];
    if (!chosen) return textReply(res, 200, 'no free phones');
    const [operatorName, offer] = chosen;
    if (balance < offer.cost) return textReply(res, 400, 'not enough user balance');
    offer.count -= 1;
    balance = round(balance - offer.cost);
    const id = nextId++;
    const prefix = COUNTRIES[country]?.prefix ?? '+999';
    const createdAt = now();
    const order: FakeOrder = {
      id,
      country,
      operator: operatorName,
      product,
      phone: `${prefix}${String(9_000_000_000 + id).slice(-10)}`,
      price: offer.cost,
      status: 'PENDING',
      createdAt,
      expiresAt: createdAt + orderTtlMs,
      sms: [],
      lateSms: [],
    };
    orders.set(id, order);
    json(res, orderJson(order, true));
  }

  function orderAction(action: string, id: number, res: ServerResponse) {
    const found = orders.get(id);
    if (!found) return textReply(res, action === 'check' ? 404 : 400, 'order not found');
    const order = refresh(found);
    if (action === 'check') return json(res, orderJson(order));
    if (order.status === 'TIMEOUT') return textReply(res, 400, 'order expired');
    if (ACTIVE.has(order.status)) {
      if (action === 'finish') order.status = 'FINISHED';
      else if (order.sms.length > 0) return textReply(res, 400, 'order has sms');
      else {
        order.status = action === 'cancel' ? 'CANCELED' : 'BANNED';
        balance = round(balance + order.price);
      }
    }
    json(res, orderJson(order));
  }

  /** `user/orders?category=activation&limit&offset&order&reverse` → `{Data, ProductNames, Statuses, Total}`. */
  function ordersList(query: URLSearchParams, res: ServerResponse) {
    const category = query.get('category');
    if (category !== 'activation' && category !== 'hosting') return textReply(res, 400, 'category is incorrect');
    const all = category === 'hosting' ? [] : [...orders.values()].map((order) => refresh(order));
    all.sort((a, b) => a.id - b.id);
    if (query.get('reverse') === 'true') all.reverse();
    const offset = Number(query.get('offset') ?? '0') || 0;
    const limit = Number(query.get('limit') ?? '15') || 15;
    json(res, {
      Data: all.slice(offset, offset + limit).map((order) => orderJson(order)),
      ProductNames: [...new Set(all.map((order) => order.product))].map((name) => ({ ID: name, Name: name })),
      Statuses: ['PENDING', 'RECEIVED', 'CANCELED', 'TIMEOUT', 'FINISHED', 'BANNED'].map((name) => ({ ID: name, Name: name })),
      Total: all.length,
    });
  }

  function route(req: IncomingMessage, url: URL, res: ServerResponse) {
    if (req.method !== 'GET') return textReply(res, 405, 'method not allowed');
    const path = url.pathname;
    if (path === '/404.html') return html(res, 404, 'Page not found');
    if (path === '/v1/guest/countries') return countriesList(res);
    if (path === '/v1/guest/prices') return prices(url.searchParams, res);
    if (path.startsWith('/v1/user/')) {
      if (mode === 'bad_key' || req.headers.authorization !== `Bearer ${token}`) return send(res, 401, '');
      if (path === '/v1/user/profile') {
        return json(res, {
          id: 1,
          email: 'fake@example.invalid',
          vendor: 'fake',
          default_forwarding_number: '',
          balance,
          rating: 96,
          default_country: { name: 'any', iso: '', prefix: '' },
          default_operator: { name: 'any' },
          frozen_balance: 0,
        });
      }
      const buyMatch = /^\/v1\/user\/buy\/activation\/([a-z0-9]+)\/([a-z0-9]+)\/([a-z0-9]+)$/.exec(path);
      if (buyMatch?.[1] && buyMatch[2] && buyMatch[3]) return buy(buyMatch[1], buyMatch[2], buyMatch[3], url.searchParams, res);
      if (path === '/v1/user/orders') return ordersList(url.searchParams, res);
      const orderMatch = /^\/v1\/user\/(check|finish|cancel|ban)\/(\d+)$/.exec(path);
      if (orderMatch?.[1] && orderMatch[2]) return orderAction(orderMatch[1], Number(orderMatch[2]), res);
    }
    // 5sim redirects every route it does not know to its HTML 404 page.
    send(res, 302, '<a href="/404.html">Found</a>.', 'text/html; charset=utf-8', { location: '/404.html' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
    });
    for (const order of orders.values()) refresh(order);

    if (mode === 'slow') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, slowDelayMs);
        timers.add(timer);
      });
    }
    const reply = canned.shift();
    if (reply) return send(res, reply.status, reply.body, reply.contentType, reply.headers);
    if (mode === 'down') return html(res, 502, 'Bad Gateway');
    if (mode === 'garbage') return html(res, 200, 'Technical works');
    if (mode === 'rate_limited') return send(res, 429, '');
    route(req, url, res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, `fake 5sim crashed: ${String(error)}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    token,
    requests,
    get orders() {
      return [...orders.values()].map(refresh);
    },
    get balance() {
      for (const order of orders.values()) refresh(order);
      return balance;
    },
    setMode(next, modeOptions = {}) {
      mode = next;
      if (modeOptions.delayMs !== undefined) slowDelayMs = modeOptions.delayMs;
    },
    replyNext(reply) {
      canned.push(reply);
    },
    deliverSms(orderId, sms) {
      const found = orders.get(Number(orderId));
      if (!found) throw new Error(`fake 5sim: no order ${orderId}`);
      const order = refresh(found);
      const at = new Date(now()).toISOString();
      const message: FakeSms = { created_at: at, date: at, sender: sms.sender ?? 'Service', text: sms.text, code: sms.code };
      if (!ACTIVE.has(order.status)) {
        order.lateSms.push(message);
        return 'late';
      }
      order.sms.push(message);
      order.status = 'RECEIVED';
      return 'delivered';
    },
    async close() {
      if (!server.listening) return;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
