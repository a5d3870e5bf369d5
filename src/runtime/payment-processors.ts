import type { Config } from '../config.ts';
import type { PaymentDeps } from '../modules/payments/index.ts';
import { stripeAdapter } from '../payment-clients/stripe/adapter.ts';

/** The payment processors the configuration enables (config.ts: each exactly when its variables are set). */
export function paymentProcessors(config: Config): PaymentDeps {
  return { stripe: config.stripe ? stripeAdapter(config.stripe) : undefined };
}
