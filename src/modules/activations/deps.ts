import type { ProviderCatalog } from '../catalog/provider-catalog.ts';
import type { ProviderRuntime } from '../providers/runtime.ts';
import type { EphemeralTexts } from './ephemeral.ts';

/** What the order verbs need besides the context: the catalog (and its providers) and the ephemeral texts. */
export interface ActivationDeps {
  catalog: ProviderCatalog;
  ephemeral: EphemeralTexts;
  /** The configured upstream providers (absent in unit tests that use only in-process providers). */
  providers?: ProviderRuntime;
}
