import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { activations, idempotencyKeys } from '../../db/schema/index.ts';
import { DomainError } from '../../lib/errors.ts';
import { countryByCode, serviceByCode } from '../catalog/index.ts';
import type { Ctx } from '../context.ts';
import { openFor, sealFor } from '../keyring/index.ts';
import type { ActivationRow } from './view.ts';

/**
 * `Idempotency-Key` of order creation. The key is claimed by the very statement that places the order
 * (store.ts, PLACE), so a key exists exactly when its order does: a fault anywhere before leaves
 * no key, and a retry places the order; a fault after (the answer never reached the client, or was
 * never stored) leaves the key naming its order, and a retry answers from the order.
 */
export type KeyAnswer =
  /** The answer stored when the first request finished, through the same API. */
  | { kind: 'stored'; status: number; body: unknown }
  /**
   * The order the key placed, as it is now, to be worded anew: the first request never stored its answer
   * (`answered` false), or stored it in another API's words (`answered` true). Undefined: no order left.
   */
  | { kind: 'order'; row: ActivationRow | undefined; answered: boolean };

export async function idempotencyKeyClaimed(db: Executor, accountId: string, key: string): Promise<boolean> {
  const [row] = await db
    .select({ key: idempotencyKeys.key })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, key)));
  return row !== undefined;
}

/**
 * What a request repeating a claimed key is answered: refused when the body differs or its order is
 * still being bought; the stored answer when it was stored through the same API (`protocol`), without
 * reading the order; else the order, to be worded anew.
 */
export async function answerForKey(ctx: Ctx, accountId: string, key: string, requestHash: string, protocol: string): Promise<KeyAnswer> {
  const db = ctx.db;
  const where = and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, key));
  const [stored] = await db.select().from(idempotencyKeys).where(where);
  if (!stored) throw inUse();
  if (stored.requestHash !== requestHash) {
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used with a different request body. Use a new key for a new order.',
    );
  }
  const answered = stored.status === 'done';
  if (answered && stored.responseProtocol === protocol) {
    return { kind: 'stored', status: stored.responseStatus ?? 200, body: await openAnswer(ctx, accountId, key, stored.responseBody) };
  }
  const [order] = stored.activationId
    ? await db
        .select()
        .from(activations)
        .where(and(eq(activations.id, stored.activationId), eq(activations.accountId, accountId)))
    : [];
  // Still being bought (or interrupted: the expiry sweep fails such an order within two minutes).
  if (!answered && (!order || order.status === 'requesting')) throw inUse();
  return { kind: 'order', row: order, answered };
}

/**
 * Store the answer given for a key (when the first request could not, a retry does). It holds the
 * rented number: sealed under the account's key like the order's own column (ADR 28).
 */
export async function storeKeyAnswer(
  ctx: Ctx,
  accountId: string,
  key: string,
  answer: { protocol: string; status: number; body: unknown },
): Promise<void> {
  const sealed = { sealed: await sealFor(ctx, accountId, 'idempotency_keys.response_body', key, JSON.stringify(answer.body)) };
  await ctx.db
    .update(idempotencyKeys)
    .set({ status: 'done', responseStatus: answer.status, responseBody: sealed, responseProtocol: answer.protocol })
    .where(and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.status, 'in_flight')));
}

/** Why an order failed before it had a number, as its creation answered; undefined for an order that got one. */
export function creationFailure(row: ActivationRow): DomainError | undefined {
  if (row.status !== 'failed' || row.phone !== null) return undefined;
  return creationError(
    row.failureReason === 'no_numbers',
    serviceByCode(row.service)?.name ?? row.service,
    countryByCode(row.country)?.name ?? row.country,
  );
}

/** The refusal of an order no provider sold a number for: none in stock, or none could be reached. */
export function creationError(noStock: boolean, service: string, country: string): DomainError {
  if (noStock) return noNumbers(service, country);
  return new DomainError(
    'PROVIDER_UNAVAILABLE',
    `We could not reach a provider for ${service} numbers in ${country}. Nothing was charged; try again in a moment.`,
  );
}

export function noNumbers(service: string, country: string): DomainError {
  return new DomainError('NO_NUMBERS', `No numbers for ${service} in ${country} right now — try another country. Nothing was charged.`);
}

const inUse = () =>
  new DomainError('IDEMPOTENCY_KEY_IN_USE', 'The first request with this Idempotency-Key is still in progress; retry in a moment.', {
    retryAfterSeconds: 1,
  });

/** A stored answer, opened; one stored before answers were sealed is as it was. Erased since: null. */
async function openAnswer(ctx: Ctx, accountId: string, key: string, body: unknown): Promise<unknown> {
  const sealed = body !== null && typeof body === 'object' && 'sealed' in body ? (body as { sealed: unknown }).sealed : undefined;
  if (typeof sealed !== 'string') return body;
  const opened = await openFor(ctx, accountId, 'idempotency_keys.response_body', key, sealed);
  return opened === null ? null : JSON.parse(opened);
}
