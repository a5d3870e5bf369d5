import { storableText } from '../../lib/text.ts';
import {
  decimalToMicros,
  type Offer,
  type PurchasedNumber,
  type UpstreamActivation,
  type UpstreamSms,
  type UpstreamStatus,
} from '../port.ts';
import { smsActivateCountry } from './countries.ts';
import { isRecord, parseZonedTime, type Reply, splitCode, toE164, toUpstreamId } from './replies.ts';

/**
 * The success replies of each action. Each parser returns undefined when the reply is not the
 * success it expects; the caller then checks for a known error and otherwise reports a protocol error.
 */

const SERVICE_CODE = /^[a-z0-9]{2,4}$/;

/** `ACCESS_NUMBER:$id:$phone` (getNumber; also what some clones answer to getNumberV2). */
export function parseAccessNumber(reply: Reply): PurchasedNumber | undefined {
  if (reply.type !== 'text') return undefined;
  const match = /^ACCESS_NUMBER:([^:]+):([^:]+)$/.exec(reply.text);
  if (!match) return undefined;
  const upstreamId = toUpstreamId(match[1]);
  const phone = toE164(match[2]);
  return upstreamId && phone ? { upstreamId, phone } : undefined;
}

/** getNumberV2: `{activationId, phoneNumber, activationCost, activationEndTime?, …}`. */
export function parseNumberV2(reply: Reply): PurchasedNumber | undefined {
  if (reply.type !== 'json' || !isRecord(reply.value)) return undefined;
  const upstreamId = toUpstreamId(reply.value.activationId);
  const phone = toE164(reply.value.phoneNumber);
  if (!upstreamId || !phone) return undefined;
  const purchased: PurchasedNumber = { upstreamId, phone };
  const rawCost = reply.value.activationCost;
  if (typeof rawCost === 'number' || typeof rawCost === 'string') {
    const cost = decimalToMicros(rawCost);
    if (cost === undefined) return undefined;
    purchased.cost = cost;
  }
  const expiresAt = parseZonedTime(reply.value.activationEndTime);
  if (expiresAt) purchased.expiresAt = expiresAt;
  return purchased;
}

/** getStatus (and the plain-text answers of getStatusV2). */
export function parseStatusText(reply: Reply): UpstreamStatus | undefined {
  if (reply.type !== 'text') return undefined;
  const { code, rest } = splitCode(reply.text);
  const codeSms = (value: string | undefined): UpstreamSms[] => {
    const code = value === undefined ? '' : storableText(value).trim();
    return code === '' ? [] : [{ code, text: null, receivedAt: null }];
  };
  switch (code) {
    case 'STATUS_WAIT_CODE':
    case 'STATUS_WAIT_RESEND':
      return rest === undefined ? { state: 'waiting', sms: [] } : undefined;
    case 'STATUS_WAIT_RETRY':
      return { state: 'waiting', sms: codeSms(rest) };
    case 'STATUS_OK':
      return rest === undefined ? undefined : { state: 'received', sms: codeSms(rest) };
    case 'STATUS_CANCEL':
      return rest === undefined ? { state: 'cancelled', sms: [] } : undefined;
    default:
      return undefined;
  }
}

/**
 * getStatusV2 JSON: SMS-Activate's `{verificationType, sms: {dateTime, code, text}, call}` or HeroSMS's
 * `{verificationType, data: {code, text, date, …}}`. It has no "waiting for another SMS" state: after
 * a retry request it still shows the previous SMS, so the activation reads as received.
 */
export function parseStatusV2(reply: Reply): UpstreamStatus | undefined {
  if (reply.type !== 'json' || !isRecord(reply.value)) return undefined;
  if (!('sms' in reply.value) && !('data' in reply.value) && !('verificationType' in reply.value)) return undefined;
  const message = isRecord(reply.value.sms) ? reply.value.sms : isRecord(reply.value.data) ? reply.value.data : undefined;
  if (!message) return { state: 'waiting', sms: [] };
  const code = textOrNull(message.code);
  const text = textOrNull(message.text);
  if (code === undefined || text === undefined) return undefined;
  if (code === null && text === null) return { state: 'waiting', sms: [] };
  const receivedAt = parseZonedTime(message.dateTime) ?? parseZonedTime(message.date) ?? null;
  return { state: 'received', sms: [{ code, text, receivedAt }] };
}

/** Upstream text made storable (lib/text.ts): an SMS is never refused for what its sender put in it. */
function textOrNull(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const text = storableText(value);
  return text.trim() === '' ? null : text;
}

/** `ACCESS_BALANCE:50.30` → micro-units. */
export function parseBalance(reply: Reply): number | undefined {
  if (reply.type !== 'text') return undefined;
  const { code, rest } = splitCode(reply.text);
  return code === 'ACCESS_BALANCE' && rest !== undefined ? decimalToMicros(rest) : undefined;
}

/**
 * getPrices for every country: `{country: {service: {cost, count, physicalCount?}}}`, possibly wrapped
 * in an array. Stock is `physicalCount` when present: HeroSMS lists `count` for numbers it cannot
 * deliver. Unknown and virtual country ids, and entries we cannot read, are left out.
 */
export function parsePrices(reply: Reply): { offers: Offer[]; skipped: number } | undefined {
  if (reply.type !== 'json') return undefined;
  const parts = Array.isArray(reply.value) ? reply.value : [reply.value];
  if (!parts.every(isRecord)) return undefined;
  const offers: Offer[] = [];
  let skipped = 0;
  for (const part of parts) {
    for (const [countryId, services] of Object.entries(part)) {
      if (!isRecord(services)) return undefined;
      const country = smsActivateCountry(countryId);
      for (const [service, entry] of Object.entries(services)) {
        const offer = country && !country.virtual && SERVICE_CODE.test(service) ? readOffer(service, country.iso, entry) : undefined;
        if (offer) offers.push(offer);
        else skipped += 1;
      }
    }
  }
  return { offers, skipped };
}

function readOffer(service: string, country: string, entry: unknown): Offer | undefined {
  if (!isRecord(entry)) return undefined;
  const rawCost = entry.cost;
  const cost = typeof rawCost === 'number' || typeof rawCost === 'string' ? decimalToMicros(rawCost) : undefined;
  const physical = entry.physicalCount;
  const count = physical === undefined || physical === null ? readCount(entry.count) : readCount(physical);
  return cost === undefined || count === undefined ? undefined : { service, country, cost, count };
}

function readCount(value: unknown): number | undefined {
  const count = typeof value === 'string' && /^\d{1,12}$/.test(value.trim()) ? Number(value) : value;
  return typeof count === 'number' && Number.isSafeInteger(count) && count >= 0 ? count : undefined;
}

/**
 * getActiveActivations: SMS-Activate's `{status: 'success', activeActivations: [{activationId,
 * serviceCode, phoneNumber, countryCode, activationTime, …}]}`, HeroSMS's `activeActivations.rows[]`
 * with `id` and `phone`, or `NO_ACTIVATIONS` (text or JSON envelope) when there are none. Entries we
 * cannot read are left out; a reply of another shape is undefined.
 */
export function parseActiveActivations(reply: Reply): UpstreamActivation[] | undefined {
  if (reply.type === 'text') return reply.text.trim() === 'NO_ACTIVATIONS' ? [] : undefined;
  if (!isRecord(reply.value)) return undefined;
  if (reply.value.message === 'NO_ACTIVATIONS' || reply.value.title === 'NO_ACTIVATIONS') return [];
  const list = reply.value.activeActivations;
  const rows = Array.isArray(list)
    ? list
    : isRecord(list) && Array.isArray(list.rows)
      ? list.rows
      : isRecord(list)
        ? Object.values(list)
        : undefined;
  if (!rows) return undefined;
  const activations: UpstreamActivation[] = [];
  for (const row of rows) {
    if (!isRecord(row)) continue;
    const upstreamId = toUpstreamId(row.activationId ?? row.id);
    if (!upstreamId) continue;
    const activation: UpstreamActivation = { upstreamId };
    const service = row.serviceCode ?? row.service;
    if (typeof service === 'string' && SERVICE_CODE.test(service)) activation.service = service;
    const countryId = row.countryCode ?? row.country;
    const country = typeof countryId === 'string' || typeof countryId === 'number' ? smsActivateCountry(countryId) : undefined;
    if (country && !country.virtual) activation.country = country.iso;
    const phone = toE164(row.phoneNumber ?? row.phone);
    if (phone) activation.phone = phone;
    const createdAt = parseZonedTime(row.activationTime ?? row.createdAt);
    if (createdAt) activation.createdAt = createdAt;
    activations.push(activation);
  }
  return activations;
}
