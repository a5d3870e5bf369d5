import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { DomainError } from '../../lib/errors.ts';
import { packageFile } from '../../lib/packages.ts';
import type { AppDeps } from '../app.ts';
import { docsSecurityHeaders } from '../security-headers.ts';
import { IMMUTABLE } from './home.ts';

/**
 * Scalar's settings for a reference that never leaves our origin: no fonts from its CDN (system fonts
 * instead), no developer toolbar (its "share" uploads the document to Scalar's registry), no AI agent
 * and no telemetry (both call Scalar's servers), no button to Scalar's hosted API client. "Test
 * request" stays: it sends the request from this page, to this server.
 */
const SETTINGS = {
  withDefaultFonts: false,
  showDeveloperTools: 'never',
  telemetry: false,
  agent: { disabled: true },
  hideClientButton: true,
  documentDownloadType: 'json',
  metaData: { title: 'otpbox API reference' },
};

interface Bundle {
  path: string;
  body: Buffer;
}

let bundle: Bundle | undefined;

/**
 * Scalar's standalone bundle (one file, ~3.5 MB), read on the first visit to /docs and kept: its URL
 * carries a hash of its content, so browsers keep it for a year and a new version is a new URL.
 */
function scalarBundle(): Bundle {
  if (!bundle) {
    const body = readFileSync(packageFile('@scalar/api-reference/browser/standalone.js'));
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
    bundle = { path: `/docs/assets/api-reference-${hash}.js`, body };
  }
  return bundle;
}

/**
 * `/docs`: the OpenAPI reference (Scalar) for /openapi.json, every file from this server. The page
 * has no inline script (settings travel in a data attribute), and gets the site's CSP with one
 * addition, inline styles, which Scalar's components set at run time (see security-headers.ts).
 */
export const docsRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  const headers = docsSecurityHeaders({ https: deps.config.secureCookies });

  app.get('/docs', { schema: { hide: true } }, async (_request, reply) =>
    reply.headers(headers).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(docsPage(scalarBundle().path)),
  );

  app.get('/docs/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const current = scalarBundle();
    // Only the current bundle: an old hash must not be cached for a year under another content.
    if (request.url.split('?')[0] !== current.path) throw new DomainError('NOT_FOUND', 'No such file.');
    return reply.type('text/javascript; charset=utf-8').header('cache-control', IMMUTABLE).send(current.body);
  });
};

function docsPage(scriptPath: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>otpbox API reference</title>
<link rel="icon" href="/icons/favicon.svg" type="image/svg+xml">
</head>
<body>
<noscript><p>The API reference needs JavaScript. The OpenAPI document itself is at <a href="/openapi.json">/openapi.json</a>.</p></noscript>
<script id="api-reference" data-url="/openapi.json" data-configuration="${escapeAttribute(JSON.stringify(SETTINGS))}"></script>
<script src="${scriptPath}"></script>
</body>
</html>
`;
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
