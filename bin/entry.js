// Which code the `otpbox` command runs: the compiled JavaScript in dist/ when it is at least as new
// as every file in src/, else the TypeScript sources through tsx. Plain JavaScript, because it runs
// before anything is built. See docs/adr/0006-running-typescript.md.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Written by scripts/build.mjs once dist/ is complete: `builtAt` is when the build began. */
export const BUILD_INFO = 'dist/build-info.json';
export const BUILT_ENTRY = 'dist/otpbox.mjs';
export const SOURCE_ENTRY = 'src/bin.ts';

/**
 * `{ kind: 'dist' }`, or `{ kind: 'sources', reason }` where `reason` is what the operator is told
 * (undefined when running the sources was asked for, or when there are no sources to compare with).
 * `OTPBOX_SOURCES=1` always runs the sources: the tests do, so they test what is in src/.
 */
export function chooseEntry(root, env = process.env) {
  const hasSources = existsSync(path.join(root, SOURCE_ENTRY));
  if (!hasSources) return { kind: 'dist' };
  if (env.OTPBOX_SOURCES === '1') return { kind: 'sources' };
  const stale = staleBuild(root);
  return stale ? { kind: 'sources', reason: stale } : { kind: 'dist' };
}

/** Why dist/ cannot stand for src/ (missing, incomplete, or older than a source file), or null. */
export function staleBuild(root) {
  let builtAt;
  try {
    builtAt = JSON.parse(readFileSync(path.join(root, BUILD_INFO), 'utf8')).builtAt;
  } catch {
    return 'dist/ is not built';
  }
  if (typeof builtAt !== 'number' || !existsSync(path.join(root, BUILT_ENTRY))) return 'dist/ is not built';
  const newer = newerFile(path.join(root, 'src'), builtAt);
  return newer ? `${path.relative(root, newer)} changed after the last build` : null;
}

/**
 * The first file under `dir` modified after `time` (ms since the epoch), or null. Tests are not
 * bundled (nothing the server runs imports them), so editing one leaves dist/ current.
 */
function newerFile(dir, time) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.name === '__tests__' || entry.name.endsWith('.test.ts')) continue;
    if (entry.isDirectory()) {
      const found = newerFile(file, time);
      if (found) return found;
    } else if (entry.isFile() && statSync(file).mtimeMs > time) {
      return file;
    }
  }
  return null;
}
