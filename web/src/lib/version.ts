/** The app's version, from package.json at build time ("development" where the build did not set it, as in unit tests). */
export const APP_VERSION: string = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'development';
