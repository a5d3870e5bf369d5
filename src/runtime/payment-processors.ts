import type { Config } from '../config.ts';
import type { PaymentDeps } from '../modules/payments/index.ts';
import { createBlockonomicsClient } from '../payment-clients/blockonomics/index.ts';
import { stripeAdapter } from '../payment-clients/stripe/adapter.ts';

/**
 * The payment processors the configuration enables (config.ts: each exactly when its variables are
 * set). Stripe's SDK loads only when Stripe is configured: it costs a fifth of a second of every
 * start otherwise (ADR 21).
 */
export async function paymentProcessors(config: Config): Promise<PaymentDeps> {
  const stripe = config.stripe ? await stripeAdapter(config.stripe) : undefined;
  return {
    stripe,
    bitcoin: config.blockonomics
      ? createBlockonomicsClient({ baseUrl: config.blockonomics.apiBase, apiKey: config.blockonomics.apiKey })
      : undefined,
  };
}
