import Fastify from 'fastify';
import { apiSecurityHeaders } from '../src/http/security-headers.ts';
import { requestIdMaker } from '../src/lib/ids.ts';
import { benchApp } from './app.ts';
import type { Row } from './lib.ts';
import { interleaved } from './orders.ts';

/**
 * SMS-Activate clients poll `getStatus` every 1–5 s per order: the protocol's status poll by API key
 * (`GET /stubs/handler_api.php?api_key=…&action=getStatus&id=…`) against a bare Fastify route that
 * answers the same text, in the same process, requests interleaved (issue 18: goal ≥ 0.8×). A second bare
 * route sends the headers every API answer carries, so the report shows what of the gap they are.
 */
export async function compatPollingBenchmark(seconds = 5): Promise<Row[]> {
  const { app, policy, engine, close } = await benchApp({ ORDER_RATE_LIMIT: '0', API_RATE_LIMIT: '0', SANDBOX_SMS_DELAY_MS: '600000' });
  try {
    const signup = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: {
        email: 'compat-poll@example.com',
        password: 'benchmark passphrase 2026',
        ageConfirmed: true,
        policyVersion: policy.version,
      },
    });
    const cookie = signup.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const key = (await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie }, payload: { name: 'bench' } })).json()
      .key as string;
    const headers = { authorization: `Bearer ${key}` };
    await app.inject({ method: 'POST', url: '/api/v1/sandbox/credits', headers, payload: { amount: 1000 } });
    const handler = `/stubs/handler_api.php?api_key=${encodeURIComponent(key)}`;
    const bought = (await app.inject({ method: 'GET', url: `${handler}&action=getNumber&service=tg&country=6` })).body;
    const [, number] = bought.split(':');
    if (!number) throw new Error(`getNumber answered ${bought}`);
    const list = (await app.inject({ method: 'GET', url: '/api/v1/activations', headers })).json().activations as { id: string }[];
    await app.inject({
      method: 'POST',
      url: '/api/v1/sandbox/sms',
      headers,
      payload: { activationId: list[0]?.id, text: 'Telegram code: 12345' },
    });
    const url = `${handler}&action=getStatus&id=${number}`;
    const text = (await app.inject({ method: 'GET', url })).body;
    if (text !== 'STATUS_OK:12345') throw new Error(`getStatus answered ${text}`);

    const bare = Fastify();
    bare.get('/stubs/handler_api.php', async (_request, reply) => reply.type('text/plain; charset=utf-8').send(text));
    // The same bare route sending the headers every API answer carries (the OWASP API set and the
    // request id): how much of the gap is those headers, which the baseline does not send.
    const apiHeaders = apiSecurityHeaders({ https: false });
    const bareWithHeaders = Fastify({ genReqId: requestIdMaker() });
    bareWithHeaders.get('/stubs/handler_api.php', async (request, reply) =>
      reply.headers(apiHeaders).header('x-request-id', request.id).type('text/plain; charset=utf-8').send(text),
    );
    await Promise.all([bare.ready(), bareWithHeaders.ready()]);
    const [bareRps, headersRps, appRps] = await interleaved(
      [
        () => bare.inject({ method: 'GET', url }),
        () => bareWithHeaders.inject({ method: 'GET', url }),
        () => app.inject({ method: 'GET', url }),
      ],
      seconds,
    );
    await Promise.all([bare.close(), bareWithHeaders.close()]);
    return [
      { name: 'bare Fastify route, same text (baseline)', value: bareRps, unit: 'req/s', ratio: 1 },
      { name: 'bare route with the API headers', value: headersRps, unit: 'req/s', ratio: headersRps / bareRps },
      {
        name: `getStatus by api_key (${engine})`,
        value: appRps,
        unit: 'req/s',
        ratio: appRps / bareRps,
        note: `goal ≥ 0.8×; ${(appRps / headersRps).toFixed(2)}× the route with the same headers`,
      },
    ];
  } finally {
    await close();
  }
}
