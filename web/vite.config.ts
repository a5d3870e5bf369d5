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

export default defineConfig({
  root: here,
  base: '/',
  // No @vitejs/plugin-react: esbuild's automatic JSX runtime is all this app needs (no fast refresh).
  esbuild: { jsx: 'automatic' },
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every browser that can run this app supports modulepreload: the polyfill would be dead weight.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    rollupOptions: {
      // The phone formatting rules load on first use (see lib/format.ts), and the QR code encoder with the
      // first bitcoin payment shown (components/QrCode.tsx), each in a chunk named for what it is.
      output: {
        manualChunks: (id) => (id.includes('/libphonenumber-js/') ? 'phone-format' : id.includes('/uqr/') ? 'qr-code' : undefined),
      },
    },
  },
  plugins: [countryFlags(), serviceWorker()],
  // `npx vite web` for working on the UI with reloads, against `npm run dev` on port 8080.
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
