import { DomainError } from '../lib/errors.ts';
import { UNSTORABLE_TEXT_MESSAGE } from '../lib/text.ts';

/**
 * A NUL reaches a path parameter or a query value only percent-encoded (`%00`; an unpaired surrogate
 * cannot be percent-encoded at all). Every API schema refuses it (`Text`, schemas.ts), but the route
 * clients poll hardest checks its id by hand, before any schema: refusing `%00` in the URL of an API
 * request keeps every route's path and query free of NULs, whatever its validator. Named like a schema's
 * refusal (`params.id`, `querystring.cursor`). The cost is one string search per request.
 */
export function nulInUrl(url: string, route: string | undefined): DomainError | undefined {
  if (!url.includes('%00')) return undefined;
  const field = fieldOf(url, route);
  return new DomainError('VALIDATION_FAILED', `Invalid request — ${field}: ${UNSTORABLE_TEXT_MESSAGE}`, {
    issues: [{ field, message: UNSTORABLE_TEXT_MESSAGE }],
  });
}

function fieldOf(url: string, route: string | undefined): string {
  const question = url.indexOf('?');
  const path = question < 0 ? url : url.slice(0, question);
  if (path.includes('%00')) {
    const index = path.split('/').findIndex((segment) => segment.includes('%00'));
    const pattern = route?.split('/')[index];
    return pattern?.startsWith(':') ? `params.${pattern.slice(1)}` : 'params';
  }
  const pair = url
    .slice(question + 1)
    .split('&')
    .find((p) => p.includes('%00'));
  const name = pair?.split('=')[0] ?? '';
  return name && !name.includes('%00') ? `querystring.${decode(name)}` : 'querystring';
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
