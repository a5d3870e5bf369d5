import { z } from 'zod';
import { constantTimeEqual } from '../../lib/secrets.ts';
import { isBitcoinAddress } from './bip21.ts';
import type { CallbackStatus } from './confirmations.ts';
import { isSatoshis, type Satoshis } from './money.ts';

/**
 * Blockonomics' payment callback: an HTTP GET to the store's callback URL,
 * `?secret=…&status=0|1|2&addr=…&value=…&txid=…[&rbf=1]`, `value` in satoshis. The secret is ours,
 * embedded in the URL configured in the Blockonomics dashboard; nothing else authenticates the call.
 * Blockonomics retries a callback until it gets HTTP 200, and calls again as the status rises, so the
 * same txid arrives several times.
 */

/** One callback, validated; the secret is not kept. */
export interface BlockonomicsCallback {
  status: CallbackStatus;
  address: string;
  satoshis: Satoshis;
  /** Lower-case hex. */
  txid: string;
  /** Replace-by-fee signalled (sent on some unconfirmed transactions). */
  rbf: boolean;
}

const oneText = (name: string) => z.string({ error: `${name} is required, once` });

/** The query without the secret (checked apart, first). Unknown parameters are ignored. */
export const blockonomicsCallbackQuery = z.object({
  status: z.enum(['-1', '0', '1', '2'], { error: 'status must be -1, 0, 1 or 2' }).transform((value) => Number(value) as CallbackStatus),
  addr: oneText('addr').refine(isBitcoinAddress, 'addr is not a bitcoin address'),
  value: oneText('value')
    .regex(/^\d{1,16}$/, 'value must be a whole number of satoshis')
    .transform(Number)
    .refine(isSatoshis, 'value is more satoshis than exist'),
  txid: oneText('txid')
    .regex(/^[0-9a-fA-F]{64}$/, 'txid must be 64 hexadecimal characters')
    .transform((txid) => txid.toLowerCase()),
  rbf: z
    .enum(['0', '1', 'true', 'false'], { error: 'rbf must be 0 or 1' })
    .optional()
    .transform((rbf) => rbf === '1' || rbf === 'true'),
});

export type CallbackReading =
  | { ok: true; callback: BlockonomicsCallback }
  /** `bad_secret`: answer as unauthenticated, say nothing more. `malformed`: a clear 400. */
  | { ok: false; reason: 'bad_secret' | 'malformed'; message: string };

/**
 * Checks the secret (constant time, before looking at anything else, so an unauthenticated caller
 * learns nothing about validation), then the rest of the query. An empty configured secret matches
 * nothing.
 */
export function readBlockonomicsCallback(query: unknown, expectedSecret: string): CallbackReading {
  const given = query && typeof query === 'object' ? (query as Record<string, unknown>).secret : undefined;
  if (!expectedSecret || typeof given !== 'string' || !constantTimeEqual(given, expectedSecret)) {
    return { ok: false, reason: 'bad_secret', message: 'The callback secret is missing or wrong.' };
  }
  const parsed = blockonomicsCallbackQuery.safeParse(query);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
    return { ok: false, reason: 'malformed', message: `Malformed Blockonomics callback: ${problems.join('; ')}.` };
  }
  const { status, addr, value, txid, rbf } = parsed.data;
  return { ok: true, callback: { status, address: addr, satoshis: value, txid, rbf } };
}
