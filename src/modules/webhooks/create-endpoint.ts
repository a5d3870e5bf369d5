import { isIP } from 'node:net';
import { count, eq } from 'drizzle-orm';
import { accounts, webhookEndpoints } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Ctx, withDb } from '../context.ts';
import { accountKeyForSealing } from '../keyring/index.ts';
import { ALL_EVENTS, MAX_ENDPOINTS_PER_ACCOUNT } from './event-types.ts';
import { type LookupAll, privateResolution } from './public-lookup.ts';
import type { EndpointWithSecretView } from './schemas.ts';
import { encryptSigningSecret, newSigningSecret } from './signing-secret.ts';
import { checkEndpointUrl } from './url-policy.ts';
import { toEndpointView } from './view.ts';

export interface NewEndpoint {
  url: string;
  description?: string | null;
  /** Event types, or `*` for all (the default). */
  events?: string[];
  /** The API key registering it, if one does: revoking the key disables the endpoint. */
  createdByKey?: string | null;
}

/**
 * Register an endpoint. Its signing secret is returned now and at rotation, never again. A host name
 * that resolves now to an address that is not public is refused at once (`lookupNames`: the system's
 * resolver unless given); every attempt checks again anyway.
 */
export async function createWebhookEndpoint(
  ctx: Ctx,
  accountId: string,
  input: NewEndpoint,
  lookupNames?: LookupAll,
  /** Run first in the creating transaction: the caller re-checks the credential it registers with (it may have ended meanwhile). */
  stillAllowed?: (ctx: Ctx) => Promise<void>,
): Promise<EndpointWithSecretView> {
  const allowPrivate = ctx.config.webhookAllowPrivateNetworks;
  const url = checkEndpointUrl(input.url, allowPrivate);
  const host = new URL(url).hostname;
  if (!allowPrivate && isIP(host.replace(/^\[|\]$/g, '')) === 0) {
    const refusal = await privateResolution(host, lookupNames);
    if (refusal) throw new DomainError('WEBHOOK_URL_REFUSED', `This webhook URL is refused: ${refusal}.`);
  }
  const events = normaliseEvents(input.events);
  return transaction(ctx.db, async (tx) => {
    await stillAllowed?.(withDb(ctx, tx));
    const key = await accountKeyForSealing(withDb(ctx, tx), accountId);
    // The account row serialises concurrent creations, so the limit holds under races.
    await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, accountId)).for('no key update');
    const [existing] = await tx.select({ n: count() }).from(webhookEndpoints).where(eq(webhookEndpoints.accountId, accountId));
    if (Number(existing?.n ?? 0) >= MAX_ENDPOINTS_PER_ACCOUNT) {
      throw new DomainError('CONFLICT', `You already have ${MAX_ENDPOINTS_PER_ACCOUNT} webhook endpoints; delete one first.`);
    }
    const now = ctx.clock.now();
    const id = newId('whe', now.getTime());
    const secret = newSigningSecret();
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({
        id,
        accountId,
        // Sealed under the account's key (ADR 28).
        url: key.seal('webhook_endpoints.url', id, url),
        description: input.description ?? null,
        eventTypes: events,
        secretEncrypted: encryptSigningSecret(ctx.keys, id, secret),
        status: 'enabled',
        createdByKey: input.createdByKey ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!row) throw new Error('the endpoint was not inserted');
    return { ...toEndpointView(key, row), secret };
  });
}

/** Sorted and without duplicates; `*` anywhere means all. */
function normaliseEvents(events: string[] | undefined): string[] {
  if (!events || events.length === 0 || events.includes(ALL_EVENTS)) return [ALL_EVENTS];
  return [...new Set(events)].sort();
}
