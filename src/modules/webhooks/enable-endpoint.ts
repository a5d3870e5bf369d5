import { eq } from 'drizzle-orm';
import { webhookEndpoints } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { type Ctx, withDb } from '../context.ts';
import { readAccountKey } from '../keyring/index.ts';
import type { EndpointView } from './schemas.ts';
import { ownEndpoint, toEndpointView } from './view.ts';

/** Re-enable an endpoint (after fixing it): new events are delivered again, with a clean failure record. */
export async function enableWebhookEndpoint(
  ctx: Ctx,
  accountId: string,
  id: string,
  /** Run first in the transaction: the caller re-checks the credential enabling it (a reset may have ended it meanwhile). */
  stillAllowed?: (ctx: Ctx) => Promise<void>,
  /**
   * The API key enabling it, if one does: the endpoint then lives no longer than that key (revoking it
   * disables the endpoint again), as if the key had registered it; enabled signed in, it belongs to no key.
   */
  enabledByKey: string | null = null,
): Promise<EndpointView> {
  return transaction(ctx.db, async (tx) => {
    await stillAllowed?.(withDb(ctx, tx));
    const current = await ownEndpoint(tx, accountId, id, true);
    const key = await readAccountKey(withDb(ctx, tx), accountId);
    if (current.status === 'enabled') {
      // Already on: a key that says "enable" still takes it over, so that revoking that key turns it off.
      if (enabledByKey && current.createdByKey !== enabledByKey)
        await tx.update(webhookEndpoints).set({ createdByKey: enabledByKey }).where(eq(webhookEndpoints.id, id));
      return toEndpointView(key, current);
    }
    const [row] = await tx
      .update(webhookEndpoints)
      .set({
        status: 'enabled',
        createdByKey: enabledByKey,
        disabledReason: null,
        disabledAt: null,
        consecutiveFailures: 0,
        failingSince: null,
        updatedAt: ctx.clock.now(),
      })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    if (!row) throw new Error('the endpoint vanished under its lock');
    return toEndpointView(key, row);
  });
}
