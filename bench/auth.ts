import { hash, verify } from '@node-rs/argon2';
import Fastify from 'fastify';
import { ARGON2_OPTIONS } from '../src/modules/accounts/index.ts';
import { benchApp } from './app.ts';
import { median, type Row } from './lib.ts';
import { interleaved } from './orders.ts';

/**
 * Sign-in cost and per-request authentication cost, in this process (inject, no sockets):
 * - login latency vs one bare argon2id verification (the floor), and unknown-address logins vs known
 *   ones (should be ~1.0: no timing difference reveals who has an account);
 * - GET /api/v1/me by API key and by session cookie vs a bare Fastify route returning similar JSON.
 */
export async function authBenchmark(): Promise<Row[]> {
  const { app, policy, engine, close } = await benchApp();
  try {
    const password = 'benchmark passphrase 2026';
    const email = 'bench@example.com';
    const signup = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email, password, ageConfirmed: true, policyVersion: policy.version },
    });
    const cookie = signup.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const key = (await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie }, payload: { name: 'bench' } })).json()
      .key as string;

    const argonHash = await hash(password, ARGON2_OPTIONS);
    const time = async (fn: () => Promise<unknown>, runs: number) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await fn();
        samples.push(performance.now() - started);
      }
      return median(samples);
    };
    const argonMs = await time(() => verify(argonHash, password), 20);
    let ip = 0;
    const loginAs = (who: string, pw: string) => () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: who, password: pw },
        remoteAddress: `10.1.${(ip >> 8) & 255}.${ip++ & 255}`,
      });
    const loginMs = await time(loginAs(email, password), 20);
    // A new address each time: past 10 failures a name is throttled and no longer hashed at all.
    let unknown = 0;
    const unknownMs = await time(() => loginAs(`nobody-${unknown++}@example.com`, 'wrong password!!')(), 20);
    const wrongMs = await time(loginAs(email, 'wrong password!!'), 9); // stays under the lockout threshold

    const bare = Fastify();
    bare.get('/me', async () => ({ id: 'acc_x', email, kind: 'email', role: 'customer', emailVerified: false }));
    await bare.ready();
    // A refusal is not an answer: the benchmark stops rather than count it.
    const ok = async (response: Promise<{ statusCode: number; body: string }>) => {
      const { statusCode, body } = await response;
      if (statusCode !== 200) throw new Error(`GET /api/v1/me answered ${statusCode}: ${body}`);
    };
    // In alternating slices, so a neighbour's load weighs on all three alike (see orders.ts).
    const [bareRps, keyRps, cookieRps] = await interleaved(
      [
        () => bare.inject({ method: 'GET', url: '/me' }),
        () => ok(app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${key}` } })),
        () => ok(app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })),
      ],
      6,
    );
    await bare.close();
    return [
      { name: `argon2id verify (baseline)`, value: argonMs, unit: 'ms', ratio: 1 },
      { name: `login, right password (${engine})`, value: loginMs, unit: 'ms', ratio: loginMs / argonMs },
      { name: `login, wrong password (${engine})`, value: wrongMs, unit: 'ms', ratio: wrongMs / argonMs },
      {
        name: `login, unknown address (${engine})`,
        value: unknownMs,
        unit: 'ms',
        ratio: unknownMs / argonMs,
        note: `${(unknownMs / wrongMs).toFixed(2)}× a wrong password`,
      },
      { name: 'bare Fastify GET (baseline)', value: bareRps, unit: 'req/s', ratio: 1 },
      { name: `GET /api/v1/me by API key (${engine})`, value: keyRps, unit: 'req/s', ratio: keyRps / bareRps, note: 'goal ≥ 0.5×' },
      {
        name: `GET /api/v1/me by session cookie (${engine})`,
        value: cookieRps,
        unit: 'req/s',
        ratio: cookieRps / bareRps,
        note: 'goal ≥ 0.5×',
      },
    ];
  } finally {
    await close();
  }
}
