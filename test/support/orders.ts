import type { LightMyRequestResponse } from 'fastify';
import { grantCredits } from '../../src/modules/ledger/index.ts';
import { type Actor, createActor, ctxOf } from './actors.ts';
import type { TestApp } from './app.ts';

/** A customer with an API key and `credits` to spend. */
export async function fundedActor(t: TestApp, credits: number): Promise<Actor> {
  const actor = await createActor(t);
  if (credits > 0)
    await grantCredits(ctxOf(t, 'cli'), {
      accountId: actor.accountId,
      amount: credits,
      reason: 'test funds',
      idempotencyKey: `fund:${actor.accountId}`,
    });
  return actor;
}

export const api = (t: TestApp, actor: Actor) => ({
  order: (body: Record<string, unknown> = { service: 'tg', country: 'ID' }, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/v1/activations', headers: { authorization: actor.bearer, ...headers }, payload: body }),
  get: (id: string) => t.app.inject({ method: 'GET', url: `/api/v1/activations/${id}`, headers: { authorization: actor.bearer } }),
  list: (query = '') => t.app.inject({ method: 'GET', url: `/api/v1/activations${query}`, headers: { authorization: actor.bearer } }),
  action: (id: string, action: 'cancel' | 'finish' | 'retry') =>
    t.app.inject({ method: 'POST', url: `/api/v1/activations/${id}/${action}`, headers: { authorization: actor.bearer } }),
  sms: (activationId: string, text: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/sandbox/sms', headers: { authorization: actor.bearer }, payload: { activationId, text } }),
  /** The account's credits (GET /api/v1/me); its demo credits are `balances().demo`. */
  balance: async () => {
    const { available, held } = (await balances(t, actor)).credits;
    return { available, held };
  },
  balances: () => balances(t, actor),
});

/** Both balances GET /api/v1/me shows: the credits, and the demo credits (sandbox numbers only). */
async function balances(t: TestApp, actor: Actor) {
  const { demo, ...credits } = (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: actor.bearer } })).json()
    .balance as { available: number; held: number; demo: { available: number; held: number } };
  return { credits, demo };
}

export const code = (response: LightMyRequestResponse) => response.json().error?.code as string | undefined;
