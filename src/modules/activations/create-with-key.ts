import { createHash } from 'node:crypto';
import { DomainError, isDomainError } from '../../lib/errors.ts';
import type { Ctx } from '../context.ts';
import { type CreateInput, createActivation, IdempotencyKeyTaken } from './create.ts';
import type { ActivationDeps } from './deps.ts';
import { answerForKey, creationFailure, storeKeyAnswer } from './idempotency.ts';
import { type OpenedOrder, readOpened } from './opened-order.ts';
import type { ActivationRow } from './view.ts';

/** The answer given to a request, stored with its key and replayed as it was: the caller (http/) words it. */
export interface WordedAnswer {
  status: number;
  body: unknown;
}

/**
 * How the caller words an answer: an order, opened (placed by this request, or by a previous one:
 * `placedNow` false), or a refusal. `protocol` names the API that words it (`rest`, `sms-activate`,
 * `sms-activate-v2`, `5sim`): one key may be retried through another API, whose client could not parse
 * the first one's answer, so a stored answer is replayed to its own API only.
 */
export interface AnswerWording {
  readonly protocol: string;
  order(order: OpenedOrder, placedNow: boolean): WordedAnswer | Promise<WordedAnswer>;
  refusal(error: DomainError): WordedAnswer;
}

export interface KeyedCreation extends WordedAnswer {
  /** True when the key was used before: the answer is the first request's. */
  replayed: boolean;
}

/** The request a key is bound to: a repeat with another body is refused (IDEMPOTENCY_KEY_REUSED). */
export function requestHashOf(input: Omit<CreateInput, 'accountId' | 'idempotency'>): string {
  return createHash('sha256')
    .update(JSON.stringify([input.service, input.country, input.maxPrice ?? null]))
    .digest('hex');
}

/**
 * Order a number under an `Idempotency-Key`: the first request places the order and stores its
 * answer; a repeat gets that answer — or, when the first request never stored one (it failed after
 * placing its order), the order as it is now, stored for the next repeat. A refusal other than the
 * order's own failure (no numbers, provider unavailable) stores nothing and is thrown.
 */
export async function createWithIdempotencyKey(
  ctx: Ctx,
  deps: ActivationDeps,
  input: Omit<CreateInput, 'idempotency'>,
  key: string,
  wording: AnswerWording,
): Promise<KeyedCreation> {
  const requestHash = requestHashOf(input);
  try {
    // The key is claimed by the statement that places the order, so it exists exactly when the order does.
    const order = await createActivation(ctx, deps, { ...input, idempotency: { key, requestHash } });
    const answer = await wording.order(order, true);
    await storeKeyAnswer(ctx, input.accountId, key, { protocol: wording.protocol, ...answer });
    return { ...answer, replayed: false };
  } catch (error) {
    if (error instanceof IdempotencyKeyTaken) return replay(ctx, input.accountId, key, requestHash, wording);
    // The order was placed and then failed (no provider sold a number): that failure is its answer.
    if (isDomainError(error) && (error.code === 'NO_NUMBERS' || error.code === 'PROVIDER_UNAVAILABLE')) {
      const answer = wording.refusal(error);
      await storeKeyAnswer(ctx, input.accountId, key, { protocol: wording.protocol, ...answer }).catch(() => {});
    }
    throw error;
  }
}

async function replay(ctx: Ctx, accountId: string, key: string, requestHash: string, wording: AnswerWording): Promise<KeyedCreation> {
  const found = await answerForKey(ctx, accountId, key, requestHash, wording.protocol);
  if (found.kind === 'stored') return { status: found.status, body: found.body, replayed: true };
  // First answered through another API: this one's words, from the order as it is now (the stored answer
  // stays its first API's). No order left to word (erased since): the stored answer is all there is.
  if (!found.row) throw keyOfAnotherApi();
  const answer = await wordOrder(ctx, found.row, wording);
  if (!found.answered) await storeKeyAnswer(ctx, accountId, key, { protocol: wording.protocol, ...answer });
  return { ...answer, replayed: true };
}

/** The order placed under a key, as `wording` says it: the refusal it was, or the order opened. */
async function wordOrder(ctx: Ctx, row: ActivationRow, wording: AnswerWording): Promise<WordedAnswer> {
  const failure = creationFailure(row);
  return failure ? wording.refusal(failure) : wording.order(await readOpened(ctx, row), false);
}

const keyOfAnotherApi = () =>
  new DomainError(
    'IDEMPOTENCY_KEY_REUSED',
    'This Idempotency-Key was used through another API for an order that no longer exists. Use a new key for a new order.',
  );
