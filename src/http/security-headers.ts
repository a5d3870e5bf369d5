/**
 * The security headers of every response, computed once (what helmet sends, without re-building the
 * CSP string on every request — measurable on a hot polling path): a CSP that allows nothing but our
 * own origin, no framing, no MIME sniffing, no referrer, isolation headers, and HSTS on https.
 */
export const CONTENT_SECURITY_POLICY: Record<string, string[]> = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'worker-src': ["'self'"],
};

/**
 * JSON API responses get the OWASP REST Security Cheat Sheet's set and nothing more: no caching, no
 * framing, no MIME sniffing (the content type is always JSON), HSTS on https. The document-only
 * headers (referrer policy, cross-origin isolation) govern what a page loads or links to, and a JSON
 * response loads and links nothing — on the path clients poll hardest, every header is paid per request.
 */
export function apiSecurityHeaders(options: { https: boolean }): Record<string, string> {
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
  if (options.https) headers['strict-transport-security'] = 'max-age=31536000; includeSubDomains';
  return headers;
}

/**
 * The API reference at /docs (Scalar, a Vue app) sets inline styles as it renders — `<style>` elements
 * and `style` attributes whose content depends on the document, so neither hashes nor nonces can list
 * them. Its page therefore allows inline styles, and only that: scripts, connections, fonts and images
 * stay limited to our own origin, as on every other page.
 */
export const DOCS_CONTENT_SECURITY_POLICY: Record<string, string[]> = {
  ...CONTENT_SECURITY_POLICY,
  'style-src': ["'self'", "'unsafe-inline'"],
};

const serialize = (policy: Record<string, string[]>) =>
  Object.entries(policy)
    .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
    .join(';');

/** The headers of the /docs page: the site's, with its CSP relaxed as DOCS_CONTENT_SECURITY_POLICY says. */
export function docsSecurityHeaders(options: { https: boolean }): Record<string, string> {
  return { ...securityHeaders(options), 'content-security-policy': serialize(DOCS_CONTENT_SECURITY_POLICY) };
}

export function securityHeaders(options: { https: boolean }): Record<string, string> {
  const headers: Record<string, string> = {
    'content-security-policy': serialize(CONTENT_SECURITY_POLICY),
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  };
  if (options.https) headers['strict-transport-security'] = 'max-age=31536000; includeSubDomains';
  return headers;
}
