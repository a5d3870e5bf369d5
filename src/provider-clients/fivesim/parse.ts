import { storableText } from '../../lib/text.ts';
import {
  decimalToMicros,
  fail,
  type Micros,
  type Offer,
  ok,
  type PurchasedNumber,
  type Result,
  type UpstreamActivation,
  type UpstreamSms,
  type UpstreamState,
  type UpstreamStatus,
} from '../port.ts';
import { isoFromFivesimCountry, serviceFromFivesimProduct } from './names.ts';

/**
 * Readers for 5sim's JSON answers. They accept what 5sim has been seen to send (numbers or numeric
 * strings, `sms: null` or `[]`) and refuse, as a protocol error, anything they cannot read safely.
 */

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An amount as 5sim sends it (a JSON number, sometimes a numeric string) in micro-units. */
function amount(value: unknown): Micros | undefined {
  return typeof value === 'number' || typeof value === 'string' ? decimalToMicros(value) : undefined;
}

function count(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function date(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** Upstream text made storable (lib/text.ts): an SMS is never refused for what its sender put in it. */
function text(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  const cleaned = typeof value === 'string' ? storableText(value) : '';
  return cleaned.trim() !== '' ? cleaned : null;
}

/**
 * `GET guest/prices` → `{country: {product: {operator: {cost, count, rate}}}}`. One offer per
 * (service, ISO country) we can name: the cheapest operator among those with stock, and the stock
 * summed over all operators. Combinations with no stock at all, and names we cannot map, are left out.
 */
export function readOffers(body: unknown): Result<Offer[]> {
  if (!isRecord(body)) return fail('protocol_error', '5sim guest/prices: not an object');
  const offers: Offer[] = [];
  for (const [countryName, products] of Object.entries(body)) {
    const country = isoFromFivesimCountry(countryName);
    if (!country || !isRecord(products)) continue;
    for (const [productName, operators] of Object.entries(products)) {
      const service = serviceFromFivesimProduct(productName);
      if (!service || !isRecord(operators)) continue;
      let cheapest: Micros | undefined;
      let total = 0;
      for (const offer of Object.values(operators)) {
        if (!isRecord(offer)) continue;
        const stock = count(offer.count);
        const cost = amount(offer.cost);
        if (stock === undefined || stock === 0 || cost === undefined) continue;
        total += stock;
        if (cheapest === undefined || cost < cheapest) cheapest = cost;
      }
      if (cheapest !== undefined) offers.push({ service, country, cost: cheapest, count: total });
    }
  }
  offers.sort((a, b) => a.service.localeCompare(b.service) || a.country.localeCompare(b.country));
  return ok(offers);
}

/** `GET user/profile` → the `balance` field. */
export function readBalance(body: unknown): Result<Micros> {
  const balance = isRecord(body) ? amount(body.balance) : undefined;
  return balance === undefined ? fail('protocol_error', '5sim user/profile: no readable balance') : ok(balance);
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** 5sim sends `+79085895281`; tolerate spaces, dashes and a missing `+`. */
function phone(value: unknown): string | undefined {
  const raw = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const digits = raw.replace(/[\s\-().]/g, '');
  const e164 = digits.startsWith('+') ? digits : `+${digits}`;
  return E164.test(e164) ? e164 : undefined;
}

function orderId(value: unknown): string | undefined {
  const id = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  return typeof id === 'string' && /^\d+$/.test(id) ? id : undefined;
}

/** `GET user/buy/activation/…` → the new order. */
export function readPurchase(body: unknown): Result<PurchasedNumber> {
  if (!isRecord(body)) return fail('protocol_error', '5sim user/buy: not an order');
  const upstreamId = orderId(body.id);
  if (!upstreamId) return fail('protocol_error', '5sim user/buy: the order has no id');
  const number = phone(body.phone);
  // The number is bought at this point; name the order so an operator can cancel it by hand.
  if (!number) return fail('protocol_error', `5sim user/buy: order ${upstreamId} has no readable phone number`);
  const purchase: PurchasedNumber = { upstreamId, phone: number };
  const cost = amount(body.price);
  if (cost !== undefined) purchase.cost = cost;
  const expiresAt = date(body.expires);
  if (expiresAt) purchase.expiresAt = expiresAt;
  return ok(purchase);
}

/** The order statuses of 5sim.net/docs#order-statuses. */
export type FivesimStatus = 'PENDING' | 'RECEIVED' | 'CANCELED' | 'TIMEOUT' | 'FINISHED' | 'BANNED';
const STATUSES: ReadonlySet<string> = new Set<FivesimStatus>(['PENDING', 'RECEIVED', 'CANCELED', 'TIMEOUT', 'FINISHED', 'BANNED']);
const isStatus = (value: unknown): value is FivesimStatus => typeof value === 'string' && STATUSES.has(value);

export interface FivesimOrder {
  status: FivesimStatus;
  sms: UpstreamSms[];
}

/** The order object that `check`, `finish`, `cancel` and `ban` all return. */
export function readOrder(body: unknown, where: string): Result<FivesimOrder> {
  if (!isRecord(body)) return fail('protocol_error', `5sim ${where}: not an order`);
  if (!isStatus(body.status)) return fail('protocol_error', `5sim ${where}: unknown order status ${JSON.stringify(body.status)}`);
  const list = body.sms ?? [];
  if (!Array.isArray(list)) return fail('protocol_error', `5sim ${where}: sms is not a list`);
  const sms = list.filter(isRecord).map(
    (item): UpstreamSms => ({
      code: text(item.code),
      text: text(item.text),
      // created_at is when 5sim received the message; date is the one the message claims.
      receivedAt: date(item.created_at) ?? date(item.date) ?? null,
    }),
  );
  return ok({ status: body.status, sms: oldestFirst(sms) });
}

/** The port promises oldest first; 5sim does not document its order, so sort when every message is dated. */
function oldestFirst(sms: UpstreamSms[]): UpstreamSms[] {
  const times = sms.map((s) => s.receivedAt?.getTime());
  if (times.some((t) => t === undefined)) return sms;
  return sms
    .map((s, i) => ({ s, i, t: times[i] ?? 0 }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map(({ s }) => s);
}

/**
 * 5sim status → ours. `RECEIVED` means "number handed out, waiting for SMS" at 5sim, not "SMS
 * received": it is `received` for us only once the order actually holds a message.
 */
export function upstreamState(order: FivesimOrder): UpstreamState {
  switch (order.status) {
    case 'PENDING':
      return 'waiting';
    case 'RECEIVED':
      return order.sms.length > 0 ? 'received' : 'waiting';
    case 'CANCELED':
      return 'cancelled';
    case 'TIMEOUT':
      return 'expired';
    case 'FINISHED':
      return 'finished';
    case 'BANNED':
      return 'banned';
  }
}

export function readStatus(body: unknown, where: string): Result<UpstreamStatus> {
  const order = readOrder(body, where);
  return order.ok ? ok({ state: upstreamState(order.value), sms: order.value.sms }) : order;
}

/**
 * `GET user/orders?category=activation` → `{Data: [order…], Total}`: the orders still open
 * (PENDING, RECEIVED), with our service and country codes where the names map.
 */
export function readActiveOrders(body: unknown): Result<{ active: UpstreamActivation[]; total: number; seen: number }> {
  if (!isRecord(body) || !Array.isArray(body.Data)) return fail('protocol_error', '5sim user/orders: not an order list');
  const active: UpstreamActivation[] = [];
  for (const item of body.Data) {
    if (!isRecord(item) || (item.status !== 'PENDING' && item.status !== 'RECEIVED')) continue;
    const upstreamId = orderId(item.id);
    if (!upstreamId) continue;
    const activation: UpstreamActivation = { upstreamId };
    const service = typeof item.product === 'string' ? serviceFromFivesimProduct(item.product) : undefined;
    if (service) activation.service = service;
    const country = typeof item.country === 'string' ? isoFromFivesimCountry(item.country) : undefined;
    if (country) activation.country = country;
    const number = phone(item.phone);
    if (number) activation.phone = number;
    const createdAt = date(item.created_at);
    if (createdAt) activation.createdAt = createdAt;
    active.push(activation);
  }
  return ok({ active, total: count(body.Total) ?? body.Data.length, seen: body.Data.length });
}
