// Country flags as SVG files of our own origin. Emoji flags do not exist on Windows and on Linux
// without a colour emoji font (two letters in boxes instead), so the build ships the flag of every
// country we sell, from the `country-flag-icons` package (MIT; simplified 3:2 drawings, ~120 KB for
// all of them, ~600 bytes each), as assets/flags-<hash of the set>/<CODE>.svg. The app only needs that
// folder's name (`__FLAGS_PATH__`), not a table of files in its bundle; the hash lets browsers cache
// every flag for a year, and a new set is a new folder.

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';
import { SOLD_COUNTRY_CODES } from '../src/modules/catalog/country-codes.ts';

// The package's own export of its 3x2 SVG files, as strings by code (the files themselves are not exported).
const drawings = createRequire(import.meta.url)('country-flag-icons/string/3x2') as Record<string, string>;

export function countryFlags(): Plugin {
  const files = new Map(
    SOLD_COUNTRY_CODES.map((code) => {
      const svg = drawings[code];
      if (!svg) throw new Error(`country-flag-icons has no flag for ${code}, a country we sell`);
      return [code, svg];
    }),
  );
  const hash = createHash('sha256');
  for (const [code, svg] of files) hash.update(code).update(svg);
  const folder = `assets/flags-${hash.digest('hex').slice(0, 10)}`;
  return {
    name: 'otpbox-country-flags',
    config: () => ({ define: { __FLAGS_PATH__: JSON.stringify(`/${folder}/`) } }),
    generateBundle() {
      for (const [code, svg] of files) this.emitFile({ type: 'asset', fileName: `${folder}/${code}.svg`, source: svg });
    },
    // `npx vite web` serves them from the package while working on the UI.
    configureServer(server) {
      server.middlewares.use(`/${folder}/`, (request, response, next) => {
        const svg = files.get((request.url ?? '').replace(/^\//, '').replace(/\.svg$/, '') as (typeof SOLD_COUNTRY_CODES)[number]);
        if (!svg) return next();
        response.setHeader('content-type', 'image/svg+xml');
        response.end(svg);
      });
    },
  };
}
