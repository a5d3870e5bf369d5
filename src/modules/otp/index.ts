/**
 * Code extraction: the code a person would type, from any SMS.
 *
 * The module's public surface: code outside src/modules/otp/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { extractCode } from './extract-code.ts';
