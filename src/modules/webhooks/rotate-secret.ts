import { eq } from 'drizzle-orm';
import { webhookEndpoints } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { type Ctx, withDb } from '../context.ts';
import { readAccountKey } from '../keyring/index.ts';
import type { EndpointWithSecretView } from './schemas.ts';
import { encryptSigningSecret, newSigningSecret } from './signing-secret.ts';
import { ownEndpoint, toEndpointView } from './view.ts';

/**
 * Replace an endpoint's signing secret (e.g. after a leak). The old secret stops at once: every attempt
 * from now on, retries of earlier events included, is signed with the new one, returned only here.
 */
export async function rotateSigningSecret(ctx: Ctx, accountId: string, id: string): Promise<EndpointWithSecretView> {
  return transaction(ctx.db, async (tx) => {
    await ownEndpoint(tx, accountId, id, true);
    const secret = newSigningSecret();
    const [row] = await tx
      .update(webhookEndpoints)
      .set({ secretEncrypted: encryptSigningSecret(ctx.keys, id, secret), updatedAt: ctx.clock.now() })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    if (!row) throw new Error('the endpoint vanished under its lock');
    return { ...toEndpointView(await readAccountKey(withDb(ctx, tx), accountId), row), secret };
  });
}
