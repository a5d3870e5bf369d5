import type { Config } from '../config.ts';
import type { PaymentDeps } from '../modules/payments/index.ts';
import { createBlockonomicsClient } from '../payment-clients/blockonomics/index.ts';
import { stripeAdapter } from '../payment-clients/stripe/adapter.ts';

/** The payment processors the configuration enables (config.ts: each exactly when its variables are set). */
export function paymentProcessors(config: Config): PaymentDeps {
  return {
    stripe: config.stripe ? stripeAdapter(config.stripe) : undefined,
    bitcoin: config.blockonomics
      ? createBlockonomicsClient({ baseUrl: config.blockonomics.apiBase, apiKey: config.blockonomics.apiKey })
      : undefined,
  };
}
