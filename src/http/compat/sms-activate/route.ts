import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../../modules/accounts/index.ts';
import type { OrderRouteDeps } from '../../app.ts';
import { ProtocolCatalog } from './catalog.ts';
import { type Call, ProtocolOrders } from './orders.ts';
import { readParams } from './params.ts';
import { type Answer, refusal, text } from './replies.ts';

/** The path every SMS-Activate client calls (PRODUCT.md's contract). */
export const HANDLER_PATH = '/stubs/handler_api.php';

type Action = (call: Call) => Answer | Promise<Answer>;

/**
 * `GET|POST /stubs/handler_api.php`: the SMS-Activate protocol, served over the ordinary orders,
 * ledger, limits and events (ADR 29). The `api_key` parameter is an otpbox API key; it is checked like
 * a bearer key (same cache, suspension, per-account and per-key rate limits) before the action runs.
 * Parameters come from the query, a form or JSON (this route alone accepts forms); answers are the
 * protocol's texts and JSON documents, with the HTTP statuses of replies.ts.
 */
export const smsActivateRoutes: FastifyPluginAsync<OrderRouteDeps> = async (app, deps) => {
  const orders = new ProtocolOrders(deps, deps.numbered);
  const catalog = new ProtocolCatalog(deps);

  const actions: Readonly<Record<string, Action>> = {
    getBalance: (call) => orders.getBalance(call),
    // The cashback account does not exist here: the balance is the whole of it.
    getBalanceAndCashBack: (call) => orders.getBalance(call),
    getNumber: (call) => orders.getNumber(call, false),
    getNumberV2: (call) => orders.getNumber(call, true),
    getStatus: (call) => orders.getStatus(call, false),
    getStatusV2: (call) => orders.getStatus(call, true),
    setStatus: (call) => orders.setStatus(call),
    getActiveActivations: (call) => orders.getActiveActivations(call),
    getPrices: ({ params }) => catalog.getPrices(params),
    getNumbersStatus: ({ params }) => catalog.getNumbersStatus(params),
    getCountries: () => catalog.getCountries(),
    getServicesList: ({ params }) => catalog.getServicesList(params),
    getTopCountriesByService: ({ params }) => catalog.getTopCountriesByService(params),
  };

  // Forms, as most clients post them (encapsulated: only this route accepts them; JSON stays the rule elsewhere).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
    // A repeated field counts once, its first value, as in the query string (`maxPrice=0.01&maxPrice=100`).
    const fields: Record<string, string> = Object.create(null);
    for (const [name, value] of new URLSearchParams(body as string)) if (!(name in fields)) fields[name] = value;
    done(null, fields);
  });
  // What fails before the handler (a body that cannot be read) is still answered in the protocol's words.
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      send(reply, {
        status,
        text: `BAD_REQUEST:${status === 415 ? 'send the parameters in the query string, as a form or as JSON' : 'the request could not be read'}`,
      });
      return;
    }
    send(reply, refusal(error, request.log, deps.config.creditsPerUsd));
  });

  /** The action once the key is known; anything it throws is answered as the protocol says. */
  const run = (request: FastifyRequest, reply: FastifyReply, principal: Principal, action: Action | undefined, params: Call['params']) => {
    if (!action) return send(reply, text('BAD_ACTION'));
    const answer = attempt(
      () => action({ request, params, principal }),
      (error) => refusal(error, request.log, deps.config.creditsPerUsd),
    );
    if (answer instanceof Promise) return answer.then((settled) => send(reply, settled));
    return send(reply, answer);
  };

  // Not async: a status poll answered from memory is sent at once, without a promise to settle.
  const handler = (request: FastifyRequest, reply: FastifyReply) => {
    const params = readParams(request);
    const action = params.action !== undefined && Object.hasOwn(actions, params.action) ? actions[params.action] : undefined;
    let principal: Principal | Promise<Principal>;
    try {
      principal = app.apiKeyPrincipal(request, reply, params.api_key?.trim());
    } catch (error) {
      return send(reply, refusal(error, request.log, deps.config.creditsPerUsd));
    }
    if (principal instanceof Promise) {
      return principal.then(
        (found) => run(request, reply, found, action, params),
        (error: unknown) => send(reply, refusal(error, request.log, deps.config.creditsPerUsd)),
      );
    }
    return run(request, reply, principal, action, params);
  };

  const schema = { hide: true };
  app.get(HANDLER_PATH, { schema }, handler);
  app.post(HANDLER_PATH, { schema, bodyLimit: 16 * 1024 }, handler);
};

/** Run an action: its answer, or the protocol's words for what it threw (synchronously or not). */
function attempt(action: () => Answer | Promise<Answer>, failed: (error: unknown) => Answer): Answer | Promise<Answer> {
  try {
    const answer = action();
    return answer instanceof Promise ? answer.catch(failed) : answer;
  } catch (error) {
    return failed(error);
  }
}

/**
 * Send the answer. Returns nothing: a handler that returned the reply after sending it would make
 * Fastify send it a second time (and log that it was already sent).
 */
function send(reply: FastifyReply, answer: Answer): void {
  if (answer.status !== undefined) reply.code(answer.status);
  if ('json' in answer) {
    reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(answer.json));
    return;
  }
  if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
  reply.header('content-type', 'text/plain; charset=utf-8').send(answer.text);
}
