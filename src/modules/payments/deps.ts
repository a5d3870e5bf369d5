import type { BlockonomicsApi } from '../../payment-clients/blockonomics/index.ts';
import type { StripePort } from '../../payment-clients/stripe/port.ts';

/**
 * The payment processors this instance is configured for: each is present exactly when its variables
 * are set (config.ts). The payments module speaks to them through their ports only.
 */
export interface PaymentDeps {
  stripe?: StripePort;
  /** Blockonomics' API (new addresses, prices); its callbacks need only the configuration. */
  bitcoin?: BlockonomicsApi;
}
