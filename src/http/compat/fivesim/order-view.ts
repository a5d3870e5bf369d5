import { type ActivationRow, type EphemeralTexts, NUMBER_BANNED, type OpenedOrder, toView } from '../../../modules/activations/index.ts';
import { serviceByCode } from '../../../modules/catalog/index.ts';
import { fivesimCountryFromIso, fivesimProductFromService } from '../../../provider-clients/fivesim/names.ts';

/** 5sim's statuses (5sim.net/docs, "Order statuses"). */
export const FIVESIM_STATUSES = ['PENDING', 'RECEIVED', 'CANCELED', 'TIMEOUT', 'FINISHED', 'BANNED'] as const;
export type FivesimStatus = (typeof FIVESIM_STATUSES)[number];

/**
 * Our order's status in 5sim's words. 5sim's RECEIVED means "the number is ready, waiting for the
 * SMS" (the SMS shows in `sms[]`, the status does not change when it comes), so both our `waiting`
 * and `received` are RECEIVED; PENDING is the preparation before that (our `requesting`). A cancel
 * made through `user/ban` stays BANNED; an order no provider could fill is CANCELED (nothing charged).
 */
export function fivesimStatus(row: Pick<ActivationRow, 'status' | 'failureReason'>): FivesimStatus {
  switch (row.status) {
    case 'requesting':
      return 'PENDING';
    case 'waiting':
    case 'received':
      return 'RECEIVED';
    case 'completed':
      return 'FINISHED';
    case 'expired':
      return 'TIMEOUT';
    case 'cancelled':
      return row.failureReason === NUMBER_BANNED ? 'BANNED' : 'CANCELED';
    case 'failed':
      return 'CANCELED';
  }
}

export interface FivesimSms {
  created_at: string;
  date: string;
  sender: string;
  text: string;
  code: string;
}

export interface FivesimOrder {
  /** The order's number (ADR 30): 5sim's ids are integers, and the same number is the order's on SMS-Activate's side. */
  id: number;
  phone: string;
  operator: string;
  product: string;
  price: number;
  status: FivesimStatus;
  expires: string;
  sms: FivesimSms[] | null;
  created_at: string;
  forwarding: boolean;
  forwarding_number: string;
  country: string;
}

/** Credits in the operator's currency unit, as 5sim shows amounts: CREDITS_PER_USD credits = 1.00. */
export const toUnits = (credits: number, creditsPerUsd: number) => Math.round((credits / creditsPerUsd) * 10_000) / 10_000;
/** An amount in the operator's currency unit as whole credits (rounded down: a maximum is never raised). */

export const productName = (service: string) => fivesimProductFromService(service) ?? service;
export const countryName = (iso: string) => fivesimCountryFromIso(iso) ?? iso.toLowerCase();

/**
 * An order as 5sim shows it (5sim.net/docs, "Buy activation number", "Check order"). The operator
 * is always `any` (otpbox picks the provider); `sender` is the service's name, as otpbox does not
 * keep who sent an SMS; a text no longer kept (ephemeral SMS storage) is an empty string.
 * `fresh`: the answer to the buy itself, whose status 5sim gives as PENDING with `sms: null`.
 */
export function fivesimOrder(
  order: OpenedOrder,
  number: number,
  options: { ephemeral: EphemeralTexts; nowMs: number; creditsPerUsd: number; fresh?: boolean },
): FivesimOrder {
  const { row } = order;
  const view = toView(order, options.ephemeral, options.nowMs);
  const sender = serviceByCode(row.service)?.name ?? productName(row.service);
  return {
    id: number,
    phone: view.phone,
    operator: 'any',
    product: productName(row.service),
    price: toUnits(view.price, options.creditsPerUsd),
    status: options.fresh ? 'PENDING' : fivesimStatus(row),
    expires: view.expiresAt,
    sms: options.fresh
      ? null
      : view.sms.map((m) => ({ created_at: m.receivedAt, date: m.receivedAt, sender, text: m.text ?? '', code: m.code ?? '' })),
    created_at: view.createdAt,
    forwarding: false,
    forwarding_number: '',
    country: countryName(row.country),
  };
}
