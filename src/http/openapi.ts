import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { Access } from './auth.ts';
import { errorResponsesOf } from './error-responses.ts';

/**
 * The OpenAPI transform of every route: its schemas from zod, and its error responses beside the
 * responses it declares. Documentation only: what a route sends is untouched (an error response is
 * never serialised by a route's schema; `sendError` writes it).
 */
export const withErrorResponses: typeof jsonSchemaTransform = (document) => {
  const { schema, route } = document;
  if (!schema || schema.hide) return jsonSchemaTransform(document);
  const response = { ...errorResponsesOf(route), ...(schema.response as Record<string, unknown> | undefined) };
  return jsonSchemaTransform({
    ...document,
    schema: { ...schema, ...securityOf(route), ...signedInOnlyDocs(route.config?.signedInOnly, schema), response },
  });
};

/**
 * The operation's credentials where they differ from the document's (`ANY_CREDENTIALS`): none for a
 * public route (and for what is not the API: health, signed webhooks); the console's session for a
 * staff route (API keys never carry staff powers, ADR 31).
 */
function securityOf(route: { url: string; config?: { access?: Access } }) {
  const access = route.config?.access;
  if (!route.url.startsWith('/api/v1/') || access === 'public') return { security: [] };
  if (access && !access.roles.includes('customer')) return { security: [{ session: [] }] };
  return {};
}

/** What every other operation takes: an API key, the app's device token, or a browser session. */
export const ANY_CREDENTIALS: { [scheme: string]: string[] }[] = [{ apiKey: [] }, { deviceToken: [] }, { session: [] }];

/**
 * A route the owner must be signed in for (`config.signedInOnly`, enforced by the auth hook) lists its
 * credentials without the API key, and says so in its description, in the words of its refusal.
 */
function signedInOnlyDocs(signedInOnly: { keyCannot: string } | undefined, schema: { description?: string }) {
  if (!signedInOnly) return {};
  const refusal = `Signed in on the web or in the app only: an API key cannot ${signedInOnly.keyCannot} (403 \`FORBIDDEN\`).`;
  return {
    security: SIGNED_IN_SECURITY,
    description: schema.description ? `${schema.description} ${refusal}` : refusal,
  };
}

/** The credentials of a signed-in owner (app.ts names the schemes): a browser session or the app's device token. */
export const SIGNED_IN_SECURITY: { [scheme: string]: string[] }[] = [{ session: [] }, { deviceToken: [] }];

/**
 * The document's shared schemas: every schema registered with an id (`.meta({ id })`, the modules'
 * response schemas and the error envelope) becomes a component. fastify-type-provider-zod adds an
 * `…Input` twin of each for request bodies; a response schema's twin is never referred to, and is
 * left out so that the reference (and the types generated from it) list each shape once.
 */
export const withSharedSchemas: typeof jsonSchemaTransformObject = (documentObject) => {
  const document = jsonSchemaTransformObject(documentObject) as { components?: { schemas?: Record<string, unknown> } };
  const schemas = document.components?.schemas;
  if (!schemas) return document as ReturnType<typeof jsonSchemaTransformObject>;
  // Until none is left: a twin may be referred to only by another unused twin.
  for (let removed = true; removed; ) {
    removed = false;
    const text = JSON.stringify(document);
    for (const name of Object.keys(schemas)) {
      if (name.endsWith('Input') && name.slice(0, -'Input'.length) in schemas && !text.includes(`"#/components/schemas/${name}"`)) {
        delete schemas[name];
        removed = true;
      }
    }
  }
  return document as ReturnType<typeof jsonSchemaTransformObject>;
};
