import type { LightMyRequestResponse } from 'fastify';
import type { Actor } from '../../../../../test/support/actors.ts';
import type { TestApp } from '../../../../../test/support/app.ts';

/** The API key of an actor (its bearer header without `Bearer `). */
export const keyOf = (actor: Actor) => actor.bearer.replace(/^Bearer /, '');

/** A `handler_api.php` client as the protocol's documentation shows them: GET with every parameter in the query. */
export const protocol = (t: TestApp, actor: Actor | string) => {
  const apiKey = typeof actor === 'string' ? actor : keyOf(actor);
  const call = (action: string, params: Record<string, string | number> = {}, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'GET',
      url: `/stubs/handler_api.php?${new URLSearchParams({ api_key: apiKey, action, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) })}`,
      headers,
    });
  return {
    call,
    /** `ACCESS_NUMBER:<id>:<phone>` split into its parts (or the refusal's text). */
    getNumber: async (params: Record<string, string | number> = { service: 'tg', country: 6 }, headers: Record<string, string> = {}) => {
      const response = await call('getNumber', params, headers);
      const [word, id, phone] = response.body.split(':');
      return { response, word, id: id as string, phone: phone as string };
    },
    status: async (id: string) => (await call('getStatus', { id })).body,
    setStatus: async (id: string, status: number | string) => (await call('setStatus', { id, status })).body,
  };
};

/** The order id (`act_…`) behind a protocol number, read from the REST list of the same account. */
export async function restOrderOf(t: TestApp, actor: Actor, phone: string) {
  const list = (await t.app.inject({ method: 'GET', url: '/api/v1/activations', headers: { authorization: actor.bearer } })).json()
    .activations as { id: string; phone: string; status: string }[];
  const found = list.find((order) => order.phone.replace(/\D/g, '') === phone);
  if (!found) throw new Error(`no REST order with phone ${phone}`);
  return found;
}

export const isText = (response: LightMyRequestResponse) => String(response.headers['content-type'] ?? '').startsWith('text/plain');
