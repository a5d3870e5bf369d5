import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './lib/package-root.ts';

const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

export const SERVICE_NAME = pkg.name;
export const VERSION = pkg.version;
