#!/usr/bin/env node
// The `otpbox` command. It runs the compiled JavaScript in dist/ (built by `npm install` through
// `prepare`, or by `npm run build`); in a source checkout whose src/ changed since that build, it runs
// the TypeScript sources through tsx instead, and says so (see bin/entry.js and ADR 6).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUILT_ENTRY, chooseEntry, SOURCE_ENTRY } from './entry.js';

// Until the server installs its own handlers, a stop request ends the process at once: nothing is
// open yet while the code loads (the server replaces these handlers before it opens anything).
const stopBeforeStart = () => process.exit(0);
process.on('SIGTERM', stopBeforeStart);
process.on('SIGINT', stopBeforeStart);

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = chooseEntry(root);
if (entry.kind === 'dist') {
  await import(pathToFileURL(path.join(root, BUILT_ENTRY)).href);
} else {
  if (entry.reason)
    process.stderr.write(
      `otpbox: ${entry.reason}: running the TypeScript sources through tsx (a slower start); npm run build compiles them again.\n`,
    );
  const { tsImport } = await import('tsx/esm/api');
  await tsImport(path.join(root, SOURCE_ENTRY), import.meta.url);
}
