import { storableText } from '../../lib/text.ts';
import { fail, ok, type PushedSms, type PushRequest, type Result } from '../port.ts';
import { isRecord, parseZonedTime, toUpstreamId } from './replies.ts';

/**
 * The SMS-Activate webhook: a POST of `{activationId, service, text, code, country, receivedAt}` per
 * SMS (HeroSMS adds `id` and `phoneFrom`). Numbers may come as strings, `code` and `text` may be null.
 * The protocol signs nothing; who may call the webhook is the route's business, not this parser's.
 *
 * `receivedAt` is kept only when it names its zone (HeroSMS sends ISO 8601); SMS-Activate's
 * `2023-01-01 12:00:00` has no documented zone, so it becomes null rather than a guess.
 */
export function parseSmsActivatePush(request: PushRequest): Result<PushedSms[]> {
  const body = typeof request.body === 'string' ? parseJson(request.body) : request.body;
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) return fail('protocol_error', 'push: an empty list');
  const pushed: PushedSms[] = [];
  for (const item of items) {
    const sms = readItem(item);
    if (!sms) return fail('protocol_error', 'push: not an SMS-Activate SMS notification');
    pushed.push(sms);
  }
  return ok(pushed);
}

function readItem(item: unknown): PushedSms | undefined {
  if (!isRecord(item)) return undefined;
  const upstreamId = toUpstreamId(item.activationId);
  if (!upstreamId || !('code' in item || 'text' in item)) return undefined;
  const code = optionalText(item.code);
  const text = optionalText(item.text);
  if (code === undefined || text === undefined) return undefined;
  if (!optionalScalar(item.service) || !optionalScalar(item.country) || !optionalScalar(item.receivedAt)) return undefined;
  const sms: PushedSms = { upstreamId, code, text, receivedAt: parseZonedTime(item.receivedAt) ?? null };
  const messageId = item.id;
  const id = typeof messageId === 'string' ? storableText(messageId).trim() : '';
  if (id !== '') sms.messageId = id;
  else if (typeof messageId === 'number' && Number.isFinite(messageId)) sms.messageId = String(messageId);
  return sms;
}

/**
 * A string, a number (codes arrive as numbers at some senders) or nothing; undefined for anything else.
 * Strings are made storable (lib/text.ts): a push is never refused for what the SMS's sender put in it.
 */
function optionalText(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = storableText(value);
  return text.trim() === '' ? null : text;
}

function optionalScalar(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string' || typeof value === 'number';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
