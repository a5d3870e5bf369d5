import type { Config } from '../../config.ts';
import type { providers } from '../../db/schema/index.ts';
import { unseal } from '../../lib/sealed.ts';
import type { SecretKeys } from '../../lib/secrets.ts';
import { FivesimProvider } from '../../provider-clients/fivesim/provider.ts';
import type { ProviderPort } from '../../provider-clients/port.ts';
import { SmsActivateProvider } from '../../provider-clients/sms-activate/adapter.ts';

export type ProviderRow = typeof providers.$inferSelect;

/** The adapter for a configured provider, its API key unsealed in memory only. */
export function adapterFor(row: ProviderRow, keys: SecretKeys, config: Pick<Config, 'providerTimeoutMs'>): ProviderPort {
  const apiKey = unseal(keys, 'provider-credentials', row.id, row.apiKeyEncrypted);
  switch (row.kind) {
    case 'sms-activate':
      return new SmsActivateProvider({
        name: row.name,
        baseUrl: row.baseUrl,
        apiKey,
        currency: row.currency,
        timeoutMs: config.providerTimeoutMs,
      });
    case '5sim':
      return new FivesimProvider({
        name: row.name,
        baseUrl: row.baseUrl,
        apiKey,
        currency: row.currency,
        timeoutMs: config.providerTimeoutMs,
      });
  }
}
