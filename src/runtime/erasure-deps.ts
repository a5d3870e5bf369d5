import { endAllAccess } from '../modules/accounts/index.ts';
import { type ActivationDeps, endOrdersForErasure } from '../modules/activations/index.ts';
import { endPaymentsForErasure, type PaymentDeps } from '../modules/payments/index.ts';
import type { ErasureDeps } from '../modules/privacy/index.ts';
import { endRentalsForErasure } from '../modules/rentals/index.ts';
import { stopWebhooksOfAccount } from '../modules/webhooks/index.ts';

/** Privacy's erasure ports, implemented by the modules above it (the route, the staff path and the job use this). */
export const erasureDeps = (activations: ActivationDeps, payments: PaymentDeps): ErasureDeps => ({
  endAccess: endAllAccess,
  endOpenOrders: (ctx, accountId) => endOrdersForErasure(ctx, activations, accountId),
  endRentals: endRentalsForErasure,
  endPayments: (ctx, accountId) => endPaymentsForErasure(ctx, payments, accountId),
  stopWebhooks: stopWebhooksOfAccount,
});
