import { createRequire } from 'node:module';

/**
 * Packages that only some requests or starts need, loaded with `require` when first used. Not
 * `import`ed: the server is bundled into one file (ADR 6), where a package's `import` is hoisted to the
 * top and loaded at every start, whatever the code around it does. They stay outside the bundle and
 * resolve from node_modules (scripts/build.mjs), from wherever this code runs: src/ through tsx, or
 * dist/ and its chunks.
 */
const require = createRequire(import.meta.url);

/**
 * A package's exports, loaded (synchronously, once) the first time the returned function is called:
 * `onFirstUse((require) => require('otplib'))`. The package is named in a `require` call where it is
 * used, so the build's checks that read the bundle (test/deployment-files.test.ts: every package the
 * server loads is a production dependency) see it.
 */
export function onFirstUse<T>(load: (require: NodeJS.Require) => unknown): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= load(require) as T;
    return loaded;
  };
}

/** The file a package specifier names (`simple-icons/icons/telegram.svg`), found as `require` would. */
export const packageFile = (specifier: string): string => require.resolve(specifier);
