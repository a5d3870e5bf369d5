import type { FastifyRequest } from 'fastify';

/** The request's parameters, as the protocol's strings: from the query string and the body (form or JSON) together. */
export type Params = Readonly<Record<string, string | undefined>>;

/**
 * Clients send the same parameters every way: in the query (GET, and many POSTs), as a form, or as
 * JSON. A body's fields win over the query's; a JSON `0` and the string `"0"` are the same parameter.
 * A repeated parameter counts once (its first value, in the query and in a form; a JSON object's
 * repeated key is its last, as JSON.parse reads it); nested values are not parameters.
 */
export function readParams(request: FastifyRequest): Params {
  const params: Record<string, string | undefined> = Object.create(null);
  copy(params, request.query);
  copy(params, request.body);
  return params;
}

function copy(into: Record<string, string | undefined>, from: unknown): void {
  if (from === null || typeof from !== 'object' || Array.isArray(from)) return;
  // for…in over own keys: no array of entries per request (clients poll getStatus many times a second).
  for (const name in from) {
    if (!Object.hasOwn(from, name)) continue;
    const value = (from as Record<string, unknown>)[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') into[name] = first;
    else if (typeof first === 'number' && Number.isFinite(first)) into[name] = String(first);
    else if (typeof first === 'boolean') into[name] = first ? 'true' : 'false';
  }
}

/** A yes of the protocol's flags (`freePrice=true`, `1`). */
export const isYes = (value: string | undefined) => value === 'true' || value === '1';
