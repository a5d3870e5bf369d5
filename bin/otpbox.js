#!/usr/bin/env node
// The `otpbox` command. In a source checkout it runs the TypeScript sources through tsx, so
// `npm install && npm start` needs no build step; a built tree without sources runs dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Until the server installs its own handlers, a stop request ends the process at once: nothing is
// open yet while the code loads (the server replaces these handlers before it opens anything).
const stopBeforeStart = () => process.exit(0);
process.on('SIGTERM', stopBeforeStart);
process.on('SIGINT', stopBeforeStart);

const source = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
if (existsSync(source)) {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport(source, import.meta.url);
} else {
  await import(new URL('../dist/src/bin.js', import.meta.url).href);
}
