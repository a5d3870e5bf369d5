/**
 * The operator's upstream providers: add/remove, runtime (ports, health, sync) and pushed SMS.
 *
 * The module's public surface: code outside src/modules/providers/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { PROVIDER_HEALTH, PROVIDER_KINDS } from '../../db/schema/providers.ts';
export { adapterFor } from './adapters.ts';
export { type AddProviderInput, addProvider } from './add-provider.ts';
export {
  listProviders,
  type ProviderTermsChange,
  type ProviderView,
  providerById,
  toProviderView,
  updateProviderTerms,
} from './list-providers.ts';
export { acceptPush } from './push.ts';
export { removeProvider } from './remove-provider.ts';
export { ProviderRuntime } from './runtime.ts';
export { syncCatalog } from './sync-catalog.ts';
