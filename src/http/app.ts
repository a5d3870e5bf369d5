import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { DomainError, type ErrorCode } from '../lib/errors.ts';
import { requestIdMaker } from '../lib/ids.ts';
import type { SecretKeys } from '../lib/secrets.ts';
import { SharedLimits } from '../limits/shared-limits.ts';
import type { ActivationDeps } from '../modules/activations/index.ts';
import type { PaymentDeps } from '../modules/payments/index.ts';
import type { Policy } from '../modules/privacy/index.ts';
import type { EventBus } from '../runtime/event-bus.ts';
import type { Metrics } from '../runtime/metrics.ts';
import { paymentProcessors } from '../runtime/payment-processors.ts';
import { authPlugin } from './auth.ts';
import { closeApiQueryStrings } from './closed-query.ts';
import { fivesimRoutes } from './compat/fivesim/routes.ts';
import { NumberedOrders } from './compat/numbered-orders.ts';
import { smsActivateRoutes } from './compat/sms-activate/route.ts';
import { type ErrorEnvelope, registerErrorHandling, STATUS_BY_CODE, sendError } from './errors.ts';
import { registerJsonBodies } from './json-body.ts';
import { ANY_CREDENTIALS, withErrorResponses, withSharedSchemas } from './openapi.ts';
import { OrderCache } from './order-cache.ts';
import { LazyRequestLogger, requestLoggerFactory } from './request-logger.ts';
import { accountRoutes } from './routes/account.ts';
import { activationRoutes } from './routes/activations.ts';
import { adminAccountRoutes } from './routes/admin-accounts.ts';
import { adminCatalogRoutes } from './routes/admin-catalog.ts';
import { adminOrderRoutes } from './routes/admin-orders.ts';
import { adminOverviewRoutes } from './routes/admin-overview.ts';
import { adminPackageRoutes } from './routes/admin-packages.ts';
import { adminPaymentRoutes } from './routes/admin-payments.ts';
import { adminPoolRoutes } from './routes/admin-pool.ts';
import { adminProviderRoutes } from './routes/admin-providers.ts';
import { adminRetentionRoutes } from './routes/admin-retention.ts';
import { adminSecurityRoutes } from './routes/admin-security.ts';
import { adminStaffRoutes } from './routes/admin-staff.ts';
import { authRoutes } from './routes/auth.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { docsRoutes } from './routes/docs.ts';
import { eventRoutes } from './routes/events.ts';
import { gatewayWebhookRoutes } from './routes/gateway-webhooks.ts';
import { healthRoutes } from './routes/health.ts';
import { clientRoutes, findWebRoot, homeRoutes } from './routes/home.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { paymentRoutes } from './routes/payments.ts';
import { privacyDeleteRoutes } from './routes/privacy-delete.ts';
import { privacyExportRoutes } from './routes/privacy-export.ts';
import { privacyRequestRoutes } from './routes/privacy-requests.ts';
import { providerPushRoutes } from './routes/provider-push.ts';
import { rentalRoutes } from './routes/rentals.ts';
import { sandboxRoutes } from './routes/sandbox.ts';
import { stripeWebhookRoutes } from './routes/stripe-webhook.ts';
import { supportRoutes } from './routes/support.ts';
import { blockonomicsWebhookRoutes } from './routes/webhook-blockonomics.ts';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.ts';
import { revenueCatWebhookRoutes } from './routes/webhook-revenuecat.ts';
import { apiSecurityHeaders, securityHeaders } from './security-headers.ts';
import { nulInUrl } from './url-nul.ts';

export interface AppDeps {
  config: Config;
  database: Database;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  version: string;
  keys: SecretKeys;
  policy: Policy;
  /** Orders: the catalog and its providers, and the ephemeral SMS texts. */
  activations: ActivationDeps;
  events: EventBus;
  /** The payment processors configured (config.ts): built from the config when not given. */
  payments?: PaymentDeps;
  /** The sandbox provider is on: its test endpoint exists. */
  sandbox: boolean;
  /** Flipped at shutdown so /readyz tells load balancers to stop sending traffic. */
  lifecycle?: { draining: boolean };
  /** How often an idle event stream gets a heartbeat (tests shorten it; default 15 s). */
  eventHeartbeatMs?: number;
  /** How long an event stream's client may stay behind before it is cut off (tests shorten it; default 30 s). */
  eventStreamStallMs?: number;
  /** How long a request may take to arrive (tests shorten it; default HTTP_TIMEOUTS). */
  httpTimeouts?: HttpTimeouts;
  /**
   * The rate limiters, shared across instances through a store (limits/open.ts); when not given, each
   * counts this process's hits only. Closed with the app.
   */
  limits: SharedLimits;
}

/**
 * What the routes that answer orders share, whichever API they serve (REST, SMS-Activate, 5sim): one
 * cache of polled orders, dropped once on each change, and the orders' numbers of the compatible
 * protocols (ADR 29).
 */
export interface OrderRouteDeps extends AppDeps {
  orderCache: OrderCache;
  numbered: NumberedOrders;
}

/**
 * What is kept of every request when it ends: its duration in the metrics, and one log line (the
 * arrival line only at debug level). A read that succeeded (GET or HEAD below 400) is logged at debug:
 * clients poll their orders every second or two, and a line per poll would bury what matters (changes,
 * refusals, failures — still at info and above) and cost more than the poll itself. Fastify calls this
 * controller for every response; the durations are observed here rather than in an `onResponse` hook,
 * which every request would pay for a second time.
 */
class RequestCompletion extends LogController {
  constructor(private readonly metrics: Metrics) {
    super({ requestIdLogLabel: 'requestId' });
  }
  override incomingRequest(request: Parameters<LogController['incomingRequest']>[0]) {
    request.log.debug({ req: request }, 'incoming request');
  }
  override requestCompleted(...[error, request, reply]: Parameters<LogController['requestCompleted']>) {
    this.metrics.httpDuration.observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    const level = error ? 'error' : (request.method === 'GET' || request.method === 'HEAD') && reply.statusCode < 400 ? 'debug' : 'info';
    if (this.isLogDisabled(request) || !(reply.log as unknown as Logger).isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = { req: request, res: reply, responseTime: Math.round(reply.elapsedTime * 10) / 10 };
    if (error) fields.err = error;
    const message = error ? 'request errored' : 'request completed';
    if (reply.log instanceof LazyRequestLogger) reply.log.line(level, fields, message);
    else reply.log[level](fields, message);
  }
}

/**
 * How long a client may take to send a request (ADR 52). Fastify's default is no limit at all, and
 * Node's own check of the headers only (60 s): a client that sends its headers, then its body a byte at
 * a time or never, held its connection for as long as it liked, and enough of them hold every file
 * descriptor the process may open (slowloris). Past these, Node answers 408 and closes the connection.
 * - `headersMs`: the request line and headers, 20 s (a few hundred bytes: any client sends them at once);
 * - `requestMs`: the whole request, its body included, 60 s (the largest body accepted is 256 KB);
 * - `checkMs`: how often Node looks for requests past those bounds (its default, 30 s, would let one
 *   live half a minute more).
 * A response is not bounded: an event stream stays open for as long as its access lasts.
 */
export interface HttpTimeouts {
  headersMs: number;
  requestMs: number;
  checkMs: number;
}
export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 20_000, requestMs: 60_000, checkMs: 5_000 };

/**
 * The answer to a request Node could not take as HTTP, before any route (Fastify's `clientError`): the
 * one error envelope every other refusal has, rather than Fastify's own shape, then the connection is
 * closed. Too slow (HTTP_TIMEOUTS): 408 `REQUEST_TIMEOUT`; headers over Node's 16 KB: 431
 * `HEADERS_TOO_LARGE`; anything else that is not HTTP: 400 `VALIDATION_FAILED`.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, requestId: string, log: Logger, timeouts: HttpTimeouts): void {
  // A connection reset by the client: nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const [code, message]: [ErrorCode, string] = timedOut
    ? [
        'REQUEST_TIMEOUT',
        `The request did not arrive in time (its headers within ${timeouts.headersMs / 1000} s, all of it within ${timeouts.requestMs / 1000} s); send it again.`,
      ]
    : error.code === 'HPE_HEADER_OVERFLOW'
      ? ['HEADERS_TOO_LARGE', 'The request headers are larger than 16 KB.']
      : ['VALIDATION_FAILED', 'The request is not valid HTTP/1.1.'];
  // Slow requests are what a slowloris attack sends: worth a line. Malformed ones are scanners' noise.
  log[timedOut ? 'info' : 'debug'](
    { requestId, code: error.code, remoteAddress: (socket as Socket).remoteAddress },
    'request refused before any route',
  );
  if (socket.writable) {
    const status = STATUS_BY_CODE[code];
    const body = JSON.stringify({ error: { code, message, requestId } } satisfies ErrorEnvelope);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `cache-control: no-store\r\nx-content-type-options: nosniff\r\nx-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * What the router refuses before any route or hook runs (Fastify's `frameworkErrors`): a path whose
 * percent-encoding is malformed (`/api/v1/activations/%E0%A4%A`), or a path parameter longer than the
 * router's 100 characters. Fastify's own answer had another shape than every other error, echoed the
 * path, and carried neither the request id nor the headers: `withHeaders` sets the ones the `onRequest`
 * hook would have, and the answer is the envelope, 400 `VALIDATION_FAILED`, as a parameter of 65 to
 * 100 characters already gets from its schema.
 */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, withHeaders: HeaderSetter) {
  withHeaders(request, reply);
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'A segment of the URL path is longer than 100 characters; no such resource exists.'
      : 'The URL path is not valid: it holds a malformed percent-encoded character.';
  return sendError(request, reply, new DomainError('VALIDATION_FAILED', message));
}

type HeaderSetter = (request: FastifyRequest, reply: FastifyReply) => void;

/** Whether the request is for the API (its headers, its NUL check) rather than a page. */
const isApiUrl = (url: string) => url.startsWith('/api/') || url.startsWith('/compat/');

/**
 * The headers of every response: the API's set for the API (the SMS-Activate protocol under /stubs/
 * is an API too: no page), the site's for everything else, and the request id.
 */
function responseHeaders(https: boolean): HeaderSetter {
  const apiHeaders = apiSecurityHeaders({ https });
  const pageHeaders = { ...securityHeaders({ https }), 'cache-control': 'no-store' };
  return (request, reply) => {
    const path = request.routeOptions.url ?? request.url;
    reply.headers(isApiUrl(path) || path.startsWith('/stubs/') ? apiHeaders : pageHeaders);
    reply.header('x-request-id', request.id);
  };
}

/** Build the HTTP application without listening: tests call `inject`, main.ts calls `listen`. */
export async function buildApp(given: Omit<AppDeps, 'limits'> & { limits?: SharedLimits }): Promise<FastifyInstance> {
  const deps: AppDeps = {
    ...given,
    payments: given.payments ?? (await paymentProcessors(given.config)),
    limits: given.limits ?? new SharedLimits({ clock: given.clock, keys: given.keys, log: given.log }),
  };
  const newRequestId = requestIdMaker();
  const timeouts = given.httpTimeouts ?? HTTP_TIMEOUTS;
  const withHeaders = responseHeaders(deps.config.secureCookies);
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    genReqId: newRequestId,
    logController: new RequestCompletion(deps.metrics),
    // Fastify accepts a hop count; its type declaration does not list numbers.
    trustProxy: deps.config.trustProxy as boolean,
    bodyLimit: 256 * 1024,
    requestTimeout: timeouts.requestMs,
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: timeouts.checkMs },
    clientErrorHandler: (error, socket) => answerClientError(error, socket, newRequestId(), deps.log, timeouts),
    frameworkErrors: (error, request, reply) => answerFrameworkError(error, request, reply, withHeaders),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  });
  // Request loggers become pino children only when something logs through them (request-logger.ts).
  app.setChildLoggerFactory(requestLoggerFactory as unknown as Parameters<typeof app.setChildLoggerFactory>[0]);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const webRoot = findWebRoot();
  registerErrorHandling(app, webRoot ? clientRoutes(webRoot) : undefined);
  registerJsonBodies(app);

  // Synchronous hooks (done callbacks): on a hot polling path every promise and microtask counts.
  app.addHook('onRequest', (request, reply, done) => {
    withHeaders(request, reply);
    done(isApiUrl(request.routeOptions.url ?? request.url) ? nulInUrl(request.url, request.routeOptions.url) : undefined);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'otpbox API',
        version: deps.version,
        description:
          'Rent temporary numbers, receive verification codes, manage credits. Errors are always `{"error":{"code","message","requestId"}}`.',
      },
      servers: [{ url: deps.config.publicUrl }],
      // Every operation takes one of these unless it says otherwise (public, staff or owner-only: openapi.ts).
      security: ANY_CREDENTIALS,
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (otp_live_…), for scripts and servers' },
          deviceToken: { type: 'http', scheme: 'bearer', description: "The mobile app's device token (otp_dev_…)" },
          session: { type: 'apiKey', in: 'cookie', name: 'otpbox_session', description: 'A browser session (the web app)' },
        },
      },
    },
    transform: withErrorResponses,
    transformObject: withSharedSchemas,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // The last hits of this instance reach the other instances' counts before it goes.
  app.addHook('onClose', () => deps.limits.close());
  closeApiQueryStrings(app);
  await app.register(authPlugin, deps);
  await app.register(healthRoutes, deps);
  await app.register(authRoutes, deps);
  await app.register(accountRoutes, deps);
  await app.register(adminAccountRoutes, deps);
  await app.register(adminOverviewRoutes, deps);
  await app.register(adminSecurityRoutes, deps);
  await app.register(adminProviderRoutes, deps);
  await app.register(adminCatalogRoutes, deps);
  await app.register(adminPaymentRoutes, deps);
  await app.register(adminPackageRoutes, deps);
  await app.register(adminPoolRoutes, deps);
  await app.register(adminStaffRoutes, deps);
  await app.register(adminOrderRoutes, deps);
  await app.register(adminRetentionRoutes, deps);
  await app.register(catalogRoutes, deps);
  const orderCache = new OrderCache(5_000, () => Date.now());
  const stopFollowingOrders = orderCache.follow(deps.events);
  app.addHook('onClose', async () => stopFollowingOrders());
  const orderRoutes: OrderRouteDeps = { ...deps, orderCache, numbered: new NumberedOrders(orderCache) };
  await app.register(activationRoutes, orderRoutes);
  await app.register(rentalRoutes, deps);
  await app.register(paymentRoutes, deps);
  await app.register(eventRoutes, deps);
  await app.register(webhookEndpointRoutes, deps);
  await app.register(privacyRequestRoutes, deps);
  await app.register(privacyExportRoutes, deps);
  await app.register(privacyDeleteRoutes, deps);
  await app.register(supportRoutes, deps);
  await app.register(providerPushRoutes, deps);
  await app.register(stripeWebhookRoutes, deps);
  await app.register(gatewayWebhookRoutes, deps);
  await app.register(blockonomicsWebhookRoutes, deps);
  await app.register(revenueCatWebhookRoutes, deps);
  await app.register(sandboxRoutes, deps);
  await app.register(fivesimRoutes, orderRoutes);
  await app.register(smsActivateRoutes, orderRoutes);
  await app.register(metricsRoutes, deps);
  await app.register(docsRoutes, deps);
  await app.register(homeRoutes, { ...deps, webRoot });
  return app;
}
