import { existsSync, readFileSync } from 'node:fs';

// From src/ (tsx) the manifest is one level up; from dist/src/ (built) it is two.
const manifest = [new URL('../package.json', import.meta.url), new URL('../../package.json', import.meta.url)].find((url) =>
  existsSync(url),
);
if (!manifest) throw new Error('package.json not found next to the otpbox sources');
const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; version: string };

export const SERVICE_NAME = pkg.name;
export const VERSION = pkg.version;
