import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { countryFlags } from './country-flags.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * Emits /sw.js: the service worker template with the list of files of this build, so it precaches
 * exactly the static shell of this version and drops the caches of older ones.
 */
function serviceWorker(): Plugin {
  return {
    name: 'otpbox-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      // Flags are left to the runtime cache (sw.js caches /assets/ on first use): most visits show a few.
      const built = Object.keys(bundle)
        .filter((file) => file.startsWith('assets/') && !file.startsWith('assets/flags-'))
        .sort();
      const shell = ['/', '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png', ...built.map((file) => `/${file}`)];
      const version = createHash('sha256').update(shell.join('\n')).digest('hex').slice(0, 12);
      const template = readFileSync(new URL('./service-worker.js', import.meta.url), 'utf8');
      const source = `const VERSION = ${JSON.stringify(version)};\nconst SHELL = ${JSON.stringify(shell)};\n${template}`;
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

/**
 * Two builds into one web/dist: the customer app (index.html, the default) and, with `--mode console`,
 * the operator console (admin.html, served at /admin; ADR 32). Apart, so that no chunk is shared: the
 * customer app's files are exactly what they would be without the console, and the console's are
 * never in the customer's service worker. scripts/build.mjs runs both, the customer app first.
 */
export default defineConfig(({ mode }) => ({
  root: here,
  base: '/',
  // No @vitejs/plugin-react: esbuild's automatic JSX runtime is all this app needs (no fast refresh).
  esbuild: { jsx: 'automatic' },
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  build: {
    outDir: 'dist',
    emptyOutDir: mode !== 'console',
    target: 'es2022',
    // Every browser that can run this app supports modulepreload: the polyfill would be dead weight.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    rollupOptions: {
      input: (mode === 'console' ? { console: `${here}admin.html` } : { index: `${here}index.html` }) as Record<string, string>,
      // The phone formatting rules load on first use (see lib/format.ts), and the QR code encoder with the
      // first bitcoin payment shown (components/QrCode.tsx), each in a chunk named for what it is.
      output: {
        manualChunks: (id) => (id.includes('/libphonenumber-js/') ? 'phone-format' : id.includes('/uqr/') ? 'qr-code' : undefined),
      },
    },
  },
  plugins: mode === 'console' ? [countryFlags()] : [countryFlags(), serviceWorker()],
  // `npx vite web` for working on the UI with reloads (the console at /admin.html), against `npm run dev` on port 8080.
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
}));
