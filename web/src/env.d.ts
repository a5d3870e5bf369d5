/** The app's version (package.json), set by vite.config.ts. */
declare const __APP_VERSION__: string;
/** Where the build put the country flags, `/assets/flags-<hash>/` (see country-flags.ts). */
declare const __FLAGS_PATH__: string;
