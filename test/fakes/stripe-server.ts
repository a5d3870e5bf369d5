import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Stripe API on 127.0.0.1, for the endpoints otpbox calls, in Stripe's shapes (API version
 * 2026-11-18, as the SDK pinned in package.json speaks it: invoices name their subscription under
 * `parent.subscription_details`, payments under the includable `payments`, periods on subscription items):
 *
 * - `POST /v1/checkout/sessions`, `GET /v1/checkout/sessions/{id}`, `GET /v1/checkout/sessions?payment_intent=`
 * - `POST /v1/checkout/sessions/{id}/expire` (an open session only; any other is 400)
 * - `DELETE /v1/subscriptions/{id}` (cancels at once; one already cancelled is 400)
 * - `GET /v1/invoices/{id}[?expand[0]=payments]`, `GET /v1/invoice_payments?payment[type]=payment_intent&payment[payment_intent]=`
 * - `GET /v1/subscriptions/{id}`
 * - `POST /v1/refunds` (payment_intent; amount: the rest of the charge unless given)
 * - `POST /v1/billing_portal/sessions`
 *
 * Requests are form-encoded with bracketed keys (`line_items[0][price_data][currency]`) and carry
 * `Authorization: Bearer <secret key>`; a wrong key gets 401. A POST's `Idempotency-Key` replays the
 * first answer for the same parameters and refuses other parameters (400 `idempotency_error`); a DELETE's too. Errors
 * are `{"error": {"type", "code", "message"}}`; an unknown object is 404 `resource_missing`.
 *
 * The test drives what happens at Stripe (`complete`, `asyncSucceeded`, `asyncFailed`, `expire`,
 * `renew`, `refund`, `openDispute`, `closeDispute`, `cancelSubscription`) and builds the events
 * Stripe would send about it (`event`); test/support/stripe-events.ts signs them.
 */

type Obj = Record<string, unknown>;
export type FakeStripeMode = 'normal' | 'down';

export interface RecordedStripeRequest {
  method: string;
  path: string;
  query: Obj;
  body: Obj;
  headers: IncomingHttpHeaders;
}

export interface FakeStripeOptions {
  secretKey?: string;
  /** Seconds since the epoch (a test's clock); default: the wall clock. */
  now?: () => number;
}

export interface FakeStripe {
  baseUrl: string;
  secretKey: string;
  requests: RecordedStripeRequest[];
  sessions: Map<string, Obj>;
  setMode(mode: FakeStripeMode): void;
  /** The customer paid on the Checkout page (`paid: false`: a delayed method, still processing). */
  complete(sessionId: string, options?: { paid?: boolean }): { session: Obj; paymentIntent: string; invoice?: Obj; subscription?: Obj };
  asyncSucceeded(sessionId: string): Obj;
  asyncFailed(sessionId: string): Obj;
  expire(sessionId: string): Obj;
  /** A subscription's next period was paid: a new invoice. */
  renew(subscriptionId: string): { invoice: Obj; paymentIntent: string };
  /** Refund (part of) a payment: the charge, as `charge.refunded` carries it. */
  refund(paymentIntent: string, amount?: number): Obj;
  openDispute(paymentIntent: string): Obj;
  closeDispute(disputeId: string, outcome: 'won' | 'lost'): Obj;
  cancelSubscription(subscriptionId: string, options?: { atPeriodEnd?: boolean }): Obj;
  /** Stripe's event envelope around a snapshot of `object`. */
  event(type: string, object: Obj): Obj;
  chargeOf(paymentIntent: string): Obj;
  close(): Promise<void>;
}

const API_VERSION = '2026-11-18.endive';

export async function startFakeStripe(options: FakeStripeOptions = {}): Promise<FakeStripe> {
  const secretKey = options.secretKey ?? `sk_test_${randomBytes(12).toString('hex')}`;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const requests: RecordedStripeRequest[] = [];
  const sessions = new Map<string, Obj>();
  const invoices = new Map<string, Obj>();
  const subscriptions = new Map<string, Obj>();
  const charges = new Map<string, Obj>(); // by payment intent
  const disputes = new Map<string, Obj>();
  const idempotent = new Map<string, { hash: string; status: number; body: unknown }>();
  let mode: FakeStripeMode = 'normal';
  let counter = 0;
  const id = (prefix: string) => `${prefix}_test_${(++counter).toString(36).padStart(6, '0')}${randomBytes(6).toString('hex')}`;

  const list = (url: string, data: Obj[]) => ({ object: 'list', data, has_more: false, url });
  const notFound = (what: string, value: string) => ({
    status: 404,
    body: { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'id', message: `No such ${what}: '${value}'` } },
  });

  function newCharge(paymentIntent: string, amount: number, currency: string, customer: string | null): Obj {
    const charge = {
      id: id('ch'),
      object: 'charge',
      amount,
      amount_captured: amount,
      amount_refunded: 0,
      currency,
      customer,
      disputed: false,
      paid: true,
      payment_intent: paymentIntent,
      refunded: false,
      status: 'succeeded',
      created: now(),
      livemode: false,
      metadata: {},
      receipt_url: `https://pay.stripe.com/receipts/${paymentIntent}`,
    };
    charges.set(paymentIntent, charge);
    return charge;
  }

  function newInvoice(subscription: Obj, billingReason: string): { invoice: Obj; paymentIntent: string } {
    const price = (subscription.items as { data: Obj[] }).data[0]?.price as Obj;
    const paymentIntent = id('pi');
    const invoiceId = id('in');
    newCharge(paymentIntent, price.unit_amount as number, price.currency as string, subscription.customer as string);
    const invoice: Obj = {
      id: invoiceId,
      object: 'invoice',
      status: 'paid',
      billing_reason: billingReason,
      amount_due: price.unit_amount,
      amount_paid: price.unit_amount,
      currency: price.currency,
      customer: subscription.customer,
      created: now(),
      livemode: false,
      parent: {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: { subscription: subscription.id, metadata: subscription.metadata },
      },
      payments: list(`/v1/invoices/${invoiceId}/payments`, [
        {
          id: id('inpay'),
          object: 'invoice_payment',
          amount_paid: price.unit_amount,
          amount_requested: price.unit_amount,
          currency: price.currency,
          invoice: invoiceId,
          is_default: true,
          livemode: false,
          payment: { type: 'payment_intent', payment_intent: paymentIntent },
          status: 'paid',
          status_transitions: { paid_at: now(), canceled_at: null },
          created: now(),
        },
      ]),
    };
    invoices.set(invoiceId, invoice);
    subscription.latest_invoice = invoiceId;
    return { invoice, paymentIntent };
  }

  const periodSeconds = (interval: string) => (interval === 'year' ? 365 : 30) * 86_400;

  function createSession(body: Obj): Obj {
    const item = (body.line_items as Obj[] | undefined)?.[0] as Obj | undefined;
    const priceData = (item?.price_data ?? {}) as Obj;
    const sessionId = id('cs');
    const session: Obj = {
      id: sessionId,
      object: 'checkout.session',
      mode: body.mode,
      status: 'open',
      payment_status: 'unpaid',
      url: `https://checkout.stripe.com/c/pay/${sessionId}`,
      client_reference_id: body.client_reference_id ?? null,
      metadata: body.metadata ?? {},
      amount_total: Number(priceData.unit_amount) * Number(item?.quantity ?? 1),
      amount_subtotal: Number(priceData.unit_amount) * Number(item?.quantity ?? 1),
      currency: priceData.currency,
      payment_intent: null,
      subscription: null,
      invoice: null,
      customer: null,
      success_url: body.success_url,
      cancel_url: body.cancel_url,
      expires_at: now() + 86_400,
      created: now(),
      livemode: false,
      // What the fake needs later (not Stripe's fields): the price and the subscription's metadata.
      _price: priceData,
      _subscription_metadata: (body.subscription_data as Obj | undefined)?.metadata ?? {},
    };
    sessions.set(sessionId, session);
    return session;
  }

  const visible = (object: Obj) => Object.fromEntries(Object.entries(object).filter(([key]) => !key.startsWith('_')));

  function route(method: string, path: string, query: Obj, body: Obj): { status: number; body: unknown } {
    const sessionPath = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path);
    const invoicePath = /^\/v1\/invoices\/([^/]+)$/.exec(path);
    const subscriptionPath = /^\/v1\/subscriptions\/([^/]+)$/.exec(path);
    const expirePath = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(path);
    if (method === 'POST' && expirePath) {
      const session = sessions.get(expirePath[1] as string);
      if (!session) return notFound('checkout.session', expirePath[1] as string);
      if (session.status !== 'open') {
        return invalid(
          'session',
          `Only Checkout Sessions with a status in ["open"] can be expired; this one is ${String(session.status)}.`,
        );
      }
      return { status: 200, body: visible(Object.assign(session, { status: 'expired', url: null })) };
    }
    if (method === 'DELETE' && subscriptionPath) {
      const subscription = subscriptions.get(subscriptionPath[1] as string);
      if (!subscription) return notFound('subscription', subscriptionPath[1] as string);
      if (subscription.status === 'canceled')
        return invalid('subscription', 'A canceled subscription can only update its cancellation_details.');
      return { status: 200, body: Object.assign(subscription, { status: 'canceled', canceled_at: now() }) };
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      if (body.mode !== 'payment' && body.mode !== 'subscription') return invalid('mode', 'Invalid mode');
      if (!body.success_url) return invalid('success_url', 'Missing required param: success_url.');
      return { status: 200, body: visible(createSession(body)) };
    }
    if (method === 'GET' && path === '/v1/checkout/sessions') {
      const found = [...sessions.values()].filter((s) => !query.payment_intent || s.payment_intent === query.payment_intent);
      return { status: 200, body: list('/v1/checkout/sessions', found.slice(0, Number(query.limit ?? 10)).map(visible)) };
    }
    if (method === 'GET' && sessionPath) {
      const session = sessions.get(sessionPath[1] as string);
      return session ? { status: 200, body: visible(session) } : notFound('checkout.session', sessionPath[1] as string);
    }
    if (method === 'GET' && invoicePath) {
      const invoice = invoices.get(invoicePath[1] as string);
      if (!invoice) return notFound('invoice', invoicePath[1] as string);
      const expand = Object.values((query.expand ?? {}) as Obj);
      const { payments, ...rest } = invoice;
      return { status: 200, body: expand.includes('payments') ? invoice : rest };
    }
    if (method === 'GET' && path === '/v1/invoice_payments') {
      const wanted = ((query.payment ?? {}) as Obj).payment_intent;
      const found = [...invoices.values()].flatMap((invoice) =>
        ((invoice.payments as { data: Obj[] }).data ?? []).filter((p) => (p.payment as Obj).payment_intent === wanted),
      );
      return { status: 200, body: list('/v1/invoice_payments', found) };
    }
    if (method === 'GET' && subscriptionPath) {
      const subscription = subscriptions.get(subscriptionPath[1] as string);
      return subscription ? { status: 200, body: subscription } : notFound('subscription', subscriptionPath[1] as string);
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const paymentIntent = String(body.payment_intent ?? '');
      const charge = charges.get(paymentIntent);
      if (!charge) return notFound('payment_intent', paymentIntent);
      const remaining = (charge.amount as number) - (charge.amount_refunded as number);
      if (remaining <= 0) {
        return {
          status: 400,
          body: {
            error: {
              type: 'invalid_request_error',
              code: 'charge_already_refunded',
              message: `Charge ${charge.id} has already been refunded.`,
            },
          },
        };
      }
      const amount = body.amount === undefined ? remaining : Number(body.amount);
      if (!Number.isInteger(amount) || amount <= 0) return invalid('amount', 'Invalid positive integer');
      if (amount > remaining) {
        return invalid('amount', `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`);
      }
      refundCharge(charge, amount);
      return {
        status: 200,
        body: {
          id: id('re'),
          object: 'refund',
          amount,
          charge: charge.id,
          currency: charge.currency,
          payment_intent: paymentIntent,
          status: 'succeeded',
          metadata: body.metadata ?? {},
          created: now(),
        },
      };
    }
    if (method === 'POST' && path === '/v1/billing_portal/sessions') {
      if (!body.customer) return invalid('customer', 'Missing required param: customer.');
      const portalId = id('bps');
      return {
        status: 200,
        body: {
          id: portalId,
          object: 'billing_portal.session',
          customer: body.customer,
          return_url: body.return_url ?? null,
          url: `https://billing.stripe.com/p/session/${portalId}`,
          created: now(),
          livemode: false,
        },
      };
    }
    return { status: 404, body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` } } };
  }

  const invalid = (param: string, message: string) => ({ status: 400, body: { error: { type: 'invalid_request_error', param, message } } });

  function refundCharge(charge: Obj, amount: number) {
    charge.amount_refunded = (charge.amount_refunded as number) + amount;
    charge.refunded = charge.amount_refunded === charge.amount;
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = parseForm(raw);
      const query = parseForm(url.search.slice(1));
      const method = request.method ?? 'GET';
      requests.push({ method, path: url.pathname, query, body, headers: request.headers });
      const send = (status: number, payload: unknown) => {
        response.writeHead(status, {
          'content-type': 'application/json',
          'request-id': `req_${randomBytes(8).toString('hex')}`,
          'stripe-version': API_VERSION,
        });
        response.end(JSON.stringify(payload));
      };
      if (mode === 'down') {
        send(503, { error: { type: 'api_error', message: 'The fake Stripe is down.' } });
        return;
      }
      if (request.headers.authorization !== `Bearer ${secretKey}`) {
        send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } });
        return;
      }
      const key = request.headers['idempotency-key'];
      const hash = createHash('sha256').update(`${method} ${url.pathname} ${raw}`).digest('hex');
      const replay = (method === 'POST' || method === 'DELETE') && typeof key === 'string' ? idempotent.get(key) : undefined;
      if (replay && replay.hash !== hash) {
        send(400, {
          error: {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          },
        });
        return;
      }
      if (replay) {
        response.setHeader('idempotent-replayed', 'true');
        send(replay.status, replay.body);
        return;
      }
      const answer = route(method, url.pathname, query, body);
      if ((method === 'POST' || method === 'DELETE') && typeof key === 'string' && answer.status < 500)
        idempotent.set(key, { hash, ...answer });
      send(answer.status, answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const sessionOf = (sessionId: string) => {
    const session = sessions.get(sessionId);
    if (!session) throw new Error(`fake Stripe: no session ${sessionId}`);
    return session;
  };

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    secretKey,
    requests,
    sessions,
    setMode(next) {
      mode = next;
    },
    complete(sessionId, { paid = true } = {}) {
      const session = sessionOf(sessionId);
      const price = session._price as Obj;
      session.status = 'complete';
      if (session.mode === 'subscription') {
        const customer = id('cus');
        const interval = ((price.recurring ?? {}) as Obj).interval as string;
        const subscription: Obj = {
          id: id('sub'),
          object: 'subscription',
          status: 'active',
          customer,
          cancel_at_period_end: false,
          canceled_at: null,
          metadata: session._subscription_metadata,
          items: list('/v1/subscription_items', [
            {
              id: id('si'),
              object: 'subscription_item',
              current_period_start: now(),
              current_period_end: now() + periodSeconds(interval),
              price: {
                id: id('price'),
                object: 'price',
                currency: price.currency,
                unit_amount: Number(price.unit_amount),
                recurring: { interval },
              },
              quantity: 1,
            },
          ]),
          latest_invoice: null,
          created: now(),
          livemode: false,
        };
        subscriptions.set(subscription.id as string, subscription);
        const first = newInvoice(subscription, 'subscription_create');
        Object.assign(session, { payment_status: 'paid', subscription: subscription.id, customer, invoice: first.invoice.id });
        return { session: visible(session), paymentIntent: first.paymentIntent, invoice: first.invoice, subscription };
      }
      const paymentIntent = id('pi');
      newCharge(paymentIntent, session.amount_total as number, session.currency as string, null);
      Object.assign(session, { payment_status: paid ? 'paid' : 'unpaid', payment_intent: paymentIntent });
      return { session: visible(session), paymentIntent };
    },
    asyncSucceeded(sessionId) {
      return visible(Object.assign(sessionOf(sessionId), { payment_status: 'paid' }));
    },
    asyncFailed(sessionId) {
      return visible(sessionOf(sessionId));
    },
    expire(sessionId) {
      return visible(Object.assign(sessionOf(sessionId), { status: 'expired', url: null }));
    },
    renew(subscriptionId) {
      const subscription = subscriptions.get(subscriptionId);
      if (!subscription) throw new Error(`fake Stripe: no subscription ${subscriptionId}`);
      const item = (subscription.items as { data: Obj[] }).data[0] as Obj;
      const interval = ((item.price as Obj).recurring as Obj).interval as string;
      item.current_period_start = item.current_period_end;
      item.current_period_end = (item.current_period_end as number) + periodSeconds(interval);
      return newInvoice(subscription, 'subscription_cycle');
    },
    refund(paymentIntent, amount) {
      const charge = charges.get(paymentIntent);
      if (!charge) throw new Error(`fake Stripe: no charge for ${paymentIntent}`);
      refundCharge(charge, amount ?? (charge.amount as number) - (charge.amount_refunded as number));
      return { ...charge };
    },
    openDispute(paymentIntent) {
      const charge = charges.get(paymentIntent);
      if (!charge) throw new Error(`fake Stripe: no charge for ${paymentIntent}`);
      charge.disputed = true;
      const dispute = {
        id: id('du'),
        object: 'dispute',
        amount: charge.amount,
        currency: charge.currency,
        charge: charge.id,
        payment_intent: paymentIntent,
        reason: 'fraudulent',
        status: 'needs_response',
        created: now(),
        livemode: false,
        metadata: {},
      };
      disputes.set(dispute.id, dispute);
      return { ...dispute };
    },
    closeDispute(disputeId, outcome) {
      const dispute = disputes.get(disputeId);
      if (!dispute) throw new Error(`fake Stripe: no dispute ${disputeId}`);
      dispute.status = outcome;
      return { ...dispute };
    },
    cancelSubscription(subscriptionId, { atPeriodEnd = false } = {}) {
      const subscription = subscriptions.get(subscriptionId);
      if (!subscription) throw new Error(`fake Stripe: no subscription ${subscriptionId}`);
      if (atPeriodEnd) subscription.cancel_at_period_end = true;
      else Object.assign(subscription, { status: 'canceled', canceled_at: now() });
      return { ...subscription };
    },
    event(type, object) {
      return {
        id: id('evt'),
        object: 'event',
        api_version: API_VERSION,
        created: now(),
        data: { object: JSON.parse(JSON.stringify(object)) },
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
      };
    },
    chargeOf(paymentIntent) {
      const charge = charges.get(paymentIntent);
      if (!charge) throw new Error(`fake Stripe: no charge for ${paymentIntent}`);
      return { ...charge };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * `a[b][0][c]=x&d=y` → `{a: {b: {0: {c: 'x'}}}, d: 'y'}`; numbered keys become arrays, as Stripe reads
 * the bracketed form encoding its SDKs send.
 */
export function parseForm(text: string): Obj {
  const root: Obj = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const path = name.split('[').map((part) => part.replace(/]$/, ''));
    let node = root;
    path.forEach((key, i) => {
      const last = i === path.length - 1;
      const slot = key === '' ? String(Object.keys(node).length) : key;
      if (last) node[slot] = value;
      else {
        node[slot] ??= {};
        node = node[slot] as Obj;
      }
    });
  }
  return arrays(root) as Obj;
}

function arrays(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Obj).map(([key, child]) => [key, arrays(child)] as const);
  if (entries.length > 0 && entries.every(([key], i) => key === String(i))) return entries.map(([, child]) => child);
  return Object.fromEntries(entries);
}
