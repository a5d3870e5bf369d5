// The otpbox service worker. The build prepends `VERSION` and `SHELL` (the files of this build; see
// vite.config.ts). It caches the static shell only: never /api responses, which hold personal data
// (balances, numbers, codes), and never anything from another origin.
/* global VERSION, SHELL */

const CACHE = `otpbox-shell-${VERSION}`;

/** Paths the server answers dynamically, and the operator console (staff pages are never cached offline): always the network. */
const NEVER_CACHED = ['/api/', '/docs', '/openapi.json', '/metrics', '/healthz', '/readyz', '/webhooks/', '/stubs/', '/admin'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith('otpbox-shell-') && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER_CACHED.some((prefix) => url.pathname.startsWith(prefix))) return;
  // Nothing the console's pages load is kept either (its scripts are a build of their own, ADR 32).
  if (request.referrer && new URL(request.referrer).pathname.startsWith('/admin')) return;

  if (request.mode === 'navigate') {
    // The network first, so a new version shows at once; the cached shell only when offline.
    event.respondWith(fetch(request).catch(() => caches.match('/').then((cached) => cached ?? Response.error())));
    return;
  }
  if (url.pathname.startsWith('/assets/') || SHELL.includes(url.pathname)) {
    // Hashed, immutable files: the cache first; lazily loaded chunks are added when first fetched.
    event.respondWith(
      caches.match(request).then(
        (cached) =>
          cached ??
          fetch(request).then((response) => {
            if (response.ok && url.pathname.startsWith('/assets/')) {
              const copy = response.clone();
              void caches.open(CACHE).then((cache) => cache.put(request, copy));
            }
            return response;
          }),
      ),
    );
  }
});
