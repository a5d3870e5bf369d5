import type { ProviderPort } from '../../provider-clients/port.ts';
import type { ProviderCatalog } from '../catalog/index.ts';
import type { EphemeralTexts } from './ephemeral.ts';

/**
 * The operator's configured upstream providers, as an SMS pushed by one of them needs them. A port,
 * so that orders do not depend on the providers module (which depends on orders to deliver a push):
 * `ProviderRuntime` implements it.
 */
export interface UpstreamProviders {
  /** The provider's stored push-token hash; undefined when no provider has that name. */
  row(name: string): { pushTokenHash: string } | undefined;
  port(name: string): ProviderPort | undefined;
  /** Remembers that the provider pushes (so polling it can slow down). */
  pushSeen(name: string, at: Date): void;
}

/** What the order verbs need besides the context: the catalog (and its providers) and the ephemeral texts. */
export interface ActivationDeps {
  catalog: ProviderCatalog;
  ephemeral: EphemeralTexts;
  /** The configured upstream providers (absent in unit tests that use only in-process providers). */
  providers?: UpstreamProviders;
}
