import { and, eq } from 'drizzle-orm';
import { accounts, webhookDeliveries, webhookEndpoints } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { type Ctx, withDb } from '../context.ts';
import { readAccountKey } from '../keyring/index.ts';
import { enqueueEmail } from '../mail/index.ts';

/**
 * Stop delivering to an endpoint that keeps failing, and tell its owner: the reason is shown on the
 * endpoint (GET /api/v1/webhook-endpoints) and, when the account has an e-mail address, an e-mail is
 * queued in the same transaction. Deliveries still pending fail with it; re-enabling resumes with new
 * events only. Returns false when the endpoint was already disabled (or deleted).
 */
export async function disableEndpoint(ctx: Ctx, endpointId: string, reason: string): Promise<boolean> {
  return transaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const [endpoint] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId)).for('no key update');
    if (endpoint?.status !== 'enabled') return false;
    await tx
      .update(webhookEndpoints)
      .set({ status: 'disabled', disabledReason: reason, disabledAt: now, updatedAt: now })
      .where(eq(webhookEndpoints.id, endpointId));
    await tx
      .update(webhookDeliveries)
      .set({ status: 'failed', lastError: 'not sent: the endpoint was disabled' })
      .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.status, 'pending')));
    const [account] = await tx.select({ email: accounts.email }).from(accounts).where(eq(accounts.id, endpoint.accountId));
    // Both sealed under the account's key (ADR 28); the e-mail is sealed again in the outbox.
    const key = account?.email ? await readAccountKey(withDb(ctx, tx), endpoint.accountId) : undefined;
    if (account?.email && key) {
      const url = key.open('webhook_endpoints.url', endpoint.id, endpoint.url);
      await enqueueEmail(withDb(ctx, tx), {
        to: key.open('accounts.email', endpoint.accountId, account.email),
        accountId: endpoint.accountId,
        template: 'webhook_endpoint_disabled',
        subject: 'A webhook endpoint was disabled',
        text:
          `We stopped sending webhooks to ${url} (endpoint ${endpoint.id}): ${reason}.\n\n` +
          'Events that happen while it is disabled are not sent to it. When the endpoint works again, enable it with ' +
          `POST /api/v1/webhook-endpoints/${endpoint.id}/enable, and send a test event with …/test to check it.\n\n` +
          `— ${ctx.config.operatorName}`,
      });
    }
    ctx.log.warn({ endpointId, accountId: endpoint.accountId, reason }, 'webhook endpoint disabled');
    return true;
  });
}
