import { z } from 'zod';

/**
 * BLOCKONOMICS_CONFIRMATIONS: how many confirmations a transaction needs before it credits.
 *
 * Blockonomics does not send a confirmation count; each callback carries a `status`:
 *   0 unconfirmed (in the mempool), 1 partially confirmed (one block), 2 confirmed (two or more).
 * (Its newer guide adds −1, "just broadcast", which we treat as unconfirmed but never credit on.)
 * So the setting maps one to one onto the status that credits: 0 → status ≥ 0, 1 → status ≥ 1,
 * 2 → status 2. A setting above 2 cannot be honoured from callbacks (status 2 already means "two or
 * more"), so it is refused rather than silently treated as 2. The default, 2, is the WooCommerce
 * plugin's recommended default.
 *
 * With 0, an unconfirmed transaction that signals replace-by-fee (`rbf`) never credits, as
 * Blockonomics advises: it can be replaced by one that pays someone else.
 */
export type Confirmations = 0 | 1 | 2;
export type CallbackStatus = -1 | 0 | 1 | 2;

export const DEFAULT_CONFIRMATIONS: Confirmations = 2;

/** For config.ts: the environment variable's text, `'0'`, `'1'` or `'2'`, default 2. */
export const confirmationsSetting = z
  .enum(['0', '1', '2'], {
    error: 'BLOCKONOMICS_CONFIRMATIONS must be 0, 1 or 2: Blockonomics reports at most status 2 ("two or more confirmations")',
  })
  .default('2')
  .transform((value) => Number(value) as Confirmations);

/** Whether a transaction seen at `status` counts towards the payment under `confirmations`. */
export function creditsAt(confirmations: Confirmations, status: CallbackStatus, rbf: boolean): boolean {
  if (status < 0) return false;
  if (status === 0 && rbf) return false;
  return status >= confirmations;
}
