import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Executor } from '../../db/client.ts';
import type { providers } from '../../db/schema/index.ts';
import type { Clock } from '../../lib/clock.ts';
import { unseal } from '../../lib/sealed.ts';
import type { SecretKeys } from '../../lib/secrets.ts';
import { FivesimProvider } from '../../provider-clients/fivesim/provider.ts';
import type { ProviderPort } from '../../provider-clients/port.ts';
import { SmsActivateProvider } from '../../provider-clients/sms-activate/adapter.ts';
import { PoolProvider } from '../pool/index.ts';

export type ProviderRow = typeof providers.$inferSelect;

/** What the pool, a provider over our own database, needs besides the row. */
export interface LocalProviderDeps {
  db: Executor;
  clock: Clock;
  log: Logger;
}

/** The adapter for a configured provider, its API key unsealed in memory only. */
export function adapterFor(
  row: ProviderRow,
  keys: SecretKeys,
  config: Pick<Config, 'providerTimeoutMs' | 'poolReuseDays' | 'poolCooldownMs'>,
  local: LocalProviderDeps,
): ProviderPort {
  if (row.kind === 'pool') return new PoolProvider({ name: row.name, ...local, config });
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
