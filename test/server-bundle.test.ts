import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the build scripts, without types
import { toLatin1 } from '../scripts/one-byte-source.mjs';
import { moduleImports } from './support/module-imports.ts';
import { ROOT } from './support/spawn.ts';

/**
 * The server bundle (scripts/build.mjs, ADR 6): dist/otpbox.mjs with the packages every start loads,
 * split into chunks, every file Latin-1. The build (run by `npm ci`/`npm install` and CI's build step)
 * makes dist/; without it these tests fail rather than skip.
 */
const DIST = path.join(ROOT, 'dist');
const bundleFiles = () => [
  path.join(DIST, 'otpbox.mjs'),
  ...readdirSync(path.join(DIST, 'chunks'))
    .filter((name) => name.endsWith('.mjs'))
    .map((name) => path.join(DIST, 'chunks', name)),
];

describe('escaping a script to Latin-1', () => {
  it('escapes characters above U+00FF in comments and regular expressions, and leaves Latin-1 alone', () => {
    const code = [
      'const a = /[«“‘]+/u.test(x); // 1, 2, … and “quotes”',
      '/* base64(version ‖ nonce) */ const b = /代码|😀/;',
      "const c = 'déjà vu';",
    ].join('\n');
    const escaped = toLatin1(code);
    expect(escaped).not.toMatch(/[\u0100-\uffff]/);
    expect(escaped).toContain("const c = 'déjà vu';");
    expect(escaped).toContain('// 1, 2, \\u2026 and \\u201cquotes\\u201d');
    // The same patterns: run both and compare.
    const run = (source: string) => new Function('x', `${source}; return [a, b.test('😀'), b.test('代码'), b.source.length > 0];`);
    for (const x of ['«“', 'abc', '‘']) expect(run(escaped)(x)).toEqual(run(code)(x));
  });

  it('refuses a character it cannot escape without changing what the code means', () => {
    // A tagged template's raw text, which esbuild would never leave unescaped in a plain string.
    expect(() => toLatin1('const t = String.raw`…`;', 'probe.mjs')).toThrow(/probe\.mjs, line 1: the character U\+2026/);
  });

  it('returns a script already in Latin-1 unchanged', () => {
    const code = 'const s = "café"; // déjà';
    expect(toLatin1(code)).toBe(code);
  });
});

describe('the built server', () => {
  it('is Latin-1 in every file: V8 keeps each as a one-byte string', () => {
    for (const file of bundleFiles()) expect(readFileSync(file, 'utf8'), path.relative(ROOT, file)).not.toMatch(/[\u0100-\uffff]/);
  });

  it('holds the packages every start loads, and leaves the drivers and native code to node_modules', () => {
    const files = bundleFiles().map((file) => readFileSync(file, 'utf8'));
    for (const bundled of ['node_modules/fastify/fastify.js', 'node_modules/zod/', 'node_modules/drizzle-orm/'])
      expect(files.join('\n')).toContain(bundled);
    const imported = (kind: string) =>
      files.flatMap((code) =>
        moduleImports(code)
          .filter((found) => found.kind === kind)
          .map((found) => found.specifier),
      );
    // The main file never imports pg or PGlite itself (a start on the other engine never loads them):
    // a chunk does, when its database opens. The native argon2 stays a package.
    const mainImports = moduleImports(files[0] as string)
      .filter((found) => found.kind === 'static')
      .map((found) => found.specifier);
    expect(mainImports).not.toContain('pg');
    expect(mainImports).not.toContain('@electric-sql/pglite');
    expect(imported('dynamic')).toContain('pg');
    expect(imported('static')).toContain('@node-rs/argon2');
  });

  it('ships no chunk that no start can load: each is imported by the server or by a chunk it loads', () => {
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const { specifier } of moduleImports(readFileSync(file, 'utf8')))
        if (specifier.startsWith('./') || specifier.startsWith('../')) visit(path.resolve(path.dirname(file), specifier));
    };
    visit(path.join(DIST, 'otpbox.mjs'));
    expect(
      bundleFiles()
        .filter((file) => !reached.has(file))
        .map((file) => path.relative(DIST, file)),
    ).toEqual([]);
  });
});
