import Fastify from 'fastify';
import { benchApp } from './app.ts';
import type { Row } from './lib.ts';
import { interleaved } from './orders.ts';

/**
 * SMS-Activate clients poll `getStatus` every 1–5 s per order: the protocol's status poll by API key
 * (`GET /stubs/handler_api.php?api_key=…&action=getStatus&id=…`) against a bare Fastify route that
 * answers the same text, in the same process, requests interleaved (issue 18: goal ≥ 0.8×).
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
    await bare.ready();
    const [bareRps, appRps] = await interleaved(
      [() => bare.inject({ method: 'GET', url }), () => app.inject({ method: 'GET', url })],
      seconds,
    );
    await bare.close();
    return [
      { name: 'bare Fastify route, same text (baseline)', value: bareRps, unit: 'req/s', ratio: 1 },
      { name: `getStatus by api_key (${engine})`, value: appRps, unit: 'req/s', ratio: appRps / bareRps, note: 'goal ≥ 0.8×' },
    ];
  } finally {
    await close();
  }
}
