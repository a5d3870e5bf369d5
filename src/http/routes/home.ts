import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { PACKAGE_ROOT } from '../../lib/package-root.ts';
import type { AppDeps } from '../app.ts';
import type { NotFoundPage } from '../errors.ts';

/** Hashed file names never change content: browsers may keep them for a year without asking. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Names that stay the same from one build to the next (sw.js, the manifest): always revalidated. */
const REVALIDATE = 'no-cache';
const ICONS = 'public, max-age=86400';

/** Paths the server answers itself: unknown ones keep the JSON error envelope, never the web app. */
const SERVER_PREFIXES = ['/api/', '/docs', '/openapi.json', '/metrics', '/healthz', '/readyz', '/webhooks/', '/stubs/', '/assets/'];

const WEB_ROOTS = [path.join(PACKAGE_ROOT, 'web', 'dist')];

export function findWebRoot(candidates: readonly string[] = WEB_ROOTS): string | undefined {
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

export function isServerPath(url: string): boolean {
  const pathname = url.split('?')[0] ?? '';
  return SERVER_PREFIXES.some((prefix) =>
    prefix.endsWith('/') ? pathname.startsWith(prefix) : pathname === prefix || pathname.startsWith(`${prefix}/`),
  );
}

const acceptsHtml = (request: FastifyRequest) => (request.headers.accept ?? '').includes('text/html');

/**
 * The customer web app (web/, built by Vite into web/dist): `/` and every client-side route answer
 * index.html (`no-store`, so a new version is picked up at once), `/assets/*` the hashed bundles
 * (cached for a year), and the PWA files. Unknown pages a browser navigates to get the app too
 * (`clientRoutes`, from the not-found handler); API and operations paths keep the JSON 404.
 * The operator console (ADR 32), a second entry of the same build (admin.html), answers `/admin` and
 * every path below it, `no-store` too; its assets are the same hashed /assets/ files.
 */
export const homeRoutes = fp<AppDeps & { webRoot: string | undefined }>(
  async (app, deps) => {
    const root = deps.webRoot;
    if (!root) {
      deps.log.warn('the web app is not built (web/dist is missing): run `npm run build`; serving a notice at /');
      app.get('/', { schema: { hide: true } }, async (_request, reply) =>
        reply.type('text/html; charset=utf-8').send(notBuiltPage(deps.version)),
      );
      return;
    }
    const sendIndex = (reply: FastifyReply) => sendIndexOf(root, reply);
    const sendConsole = (reply: FastifyReply) => sendPage(root, CONSOLE_PAGE, reply);

    await app.register(async (scope: FastifyInstance) => {
      // Cache headers are set only once a file is found: a 404 must never be cached for a year.
      const setHeaders = (reply: FastifyReply, file: string) => reply.header('cache-control', cachePolicy(path.relative(root, file)));
      await scope.register(fastifyStatic, { root, serve: false, index: false, cacheControl: false, dotfiles: 'deny', setHeaders });
      const wildcard = (request: FastifyRequest) => (request.params as { '*': string })['*'];
      scope.get('/', { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
      scope.get('/index.html', { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
      scope.get('/admin', { schema: { hide: true } }, async (_request, reply) => sendConsole(reply));
      scope.get('/admin/*', { schema: { hide: true } }, async (_request, reply) => sendConsole(reply));
      scope.get('/assets/*', { schema: { hide: true } }, async (request, reply) => reply.sendFile(`assets/${wildcard(request)}`));
      scope.get('/icons/*', { schema: { hide: true } }, async (request, reply) => reply.sendFile(`icons/${wildcard(request)}`));
      // The other files at the top of the build (sw.js, manifest.webmanifest), found when the server starts.
      for (const file of readdirSync(root, { withFileTypes: true })) {
        if (!file.isFile() || file.name === 'index.html' || file.name === CONSOLE_PAGE || file.name.startsWith('.')) continue;
        scope.get(`/${file.name}`, { schema: { hide: true } }, async (_request, reply) => reply.sendFile(file.name));
      }
    });
  },
  { name: 'otpbox-web-app' },
);

/** The console's page in the build (web/admin.html). */
const CONSOLE_PAGE = 'admin.html';

const sendPage = async (root: string, page: string, reply: FastifyReply) =>
  reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(await readFile(path.join(root, page)));

const sendIndexOf = (root: string, reply: FastifyReply) => sendPage(root, 'index.html', reply);

/**
 * The web app's client-side routes: a GET for an unknown page that a browser navigates to
 * (Accept: text/html), outside the server's own paths, gets index.html (the app shows its own "not
 * found"). For the not-found handler (errors.ts), which only requests no route matched reach.
 */
export function clientRoutes(root: string): NotFoundPage {
  return (request, reply) =>
    request.method === 'GET' && acceptsHtml(request) && !isServerPath(request.url) ? sendIndexOf(root, reply) : undefined;
}

function cachePolicy(relative: string): string {
  if (relative.startsWith(`assets${path.sep}`)) return IMMUTABLE;
  if (relative.startsWith(`icons${path.sep}`)) return ICONS;
  return REVALIDATE;
}

function notBuiltPage(version: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>otpbox</title>
</head>
<body>
<main>
<h1>otpbox</h1>
<p>Virtual numbers for SMS verification. Version ${escapeHtml(version)}.</p>
<p>The web app is not built on this server yet: run <code>npm run build</code> (or <code>npm install</code>) and restart.</p>
<ul>
<li><a href="/docs">API reference</a></li>
<li><a href="/readyz">Service readiness</a></li>
</ul>
</main>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
