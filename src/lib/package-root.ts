import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of otpbox's package.json: the first one above this code, whether it runs from the
 * sources (src/lib, through tsx) or from the build (dist/otpbox.mjs, one file; dist/ has no
 * package.json). Files that ship beside the code — the web app, the database template, the manifest —
 * are found from here, never by counting `../` from one module's place.
 */
export const PACKAGE_ROOT = packageRootAbove(fileURLToPath(import.meta.url));

export function packageRootAbove(file: string): string {
  let dir = path.dirname(file);
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`otpbox: no package.json above ${file}`);
    dir = parent;
  }
  return dir;
}
