// Buying credits: prices in money, the ways to pay this server offers, and what a bitcoin checkout
// hands over (kept for the payment's page, which may be reloaded while the customer pays).

import { LANGUAGE } from '../i18n/index.ts';
import type { BitcoinCheckout, CreditPackage, PaymentStatus } from './types.ts';

/** The ways to pay the web app offers (app-store purchases happen in the mobile app). */
export type CheckoutMethod = 'card' | 'bitcoin';
export const CHECKOUT_METHODS: readonly CheckoutMethod[] = ['card', 'bitcoin'];

/**
 * `GET /packages`: the packages and the checkout methods the service takes (its configured
 * processors). Only those are offered; a checkout still refused with PAYMENT_METHOD_UNAVAILABLE (a
 * currency bitcoin cannot price) takes its method off the page for that currency.
 */
export interface PackagesAnswer {
  packages: CreditPackage[];
  methods?: CheckoutMethod[];
}

/** P15: a renewal is stopped only by cancelling at least this long before the period ends. */
export const CANCEL_NOTICE_MS = 24 * 60 * 60 * 1000;

/** The last moment a cancellation stops the renewal at `periodEnd`. */
export const cancelDeadline = (periodEnd: string): Date => new Date(Date.parse(periodEnd) - CANCEL_NOTICE_MS);

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string): Intl.NumberFormat {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(LANGUAGE, { style: 'currency', currency });
    moneyFormats.set(currency, format);
  }
  return format;
}

/**
 * An amount in the smallest unit of its currency, in money: 1999 USD → "$19.99", 1999 JPY → "¥1,999",
 * 12345 KWD → "KWD 12.345". The currency's digits are Intl's (ISO 4217's minor units); the decimal
 * is built as a string, so no amount is rounded through a float.
 */
export function formatMoney(minor: number, currency: string): string {
  let format: Intl.NumberFormat;
  try {
    format = moneyFormat(currency.toUpperCase());
  } catch {
    // Not a currency Intl knows: the amount in minor units, named.
    return `${new Intl.NumberFormat(LANGUAGE).format(minor)} ${currency}`;
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const sign = minor < 0 ? '-' : '';
  const units = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  const whole = units.slice(0, units.length - digits);
  const decimal = digits > 0 ? `${whole}.${units.slice(units.length - digits)}` : whole;
  return format.format(`${sign}${decimal}` as Intl.StringNumericLiteral);
}

// The ways to pay the server refused during this visit (PAYMENT_METHOD_UNAVAILABLE), by currency: a
// processor that is not configured refuses every package, but bitcoin may also refuse only the
// packages priced in a currency it cannot price. Not offered again until the page is loaded anew.
const refused = new Set<string>();

export function methodRefused(method: CheckoutMethod, currency: string): void {
  refused.add(`${method} ${currency.toUpperCase()}`);
}

/** The ways to pay to offer: those the server names (both, while it names none). */
export function offeredMethods(answer: PackagesAnswer | undefined): CheckoutMethod[] {
  return answer?.methods?.filter((m) => CHECKOUT_METHODS.includes(m)) ?? [...CHECKOUT_METHODS];
}

/** The ways to pay for this package: a plan renews and bitcoin pays once, so plans are paid by card; less those refused for its currency. */
export const methodsFor = (pkg: CreditPackage, offered: readonly CheckoutMethod[]): CheckoutMethod[] =>
  offered.filter((m) => (!pkg.interval || m === 'card') && !refused.has(`${m} ${pkg.currency.toUpperCase()}`));

// A bitcoin checkout's address and amount, for its payment's page: kept in this tab's session storage,
// so a reload while the customer pays from a wallet still shows them (the API does not give them again).
const BITCOIN_KEY = 'otpbox.bitcoin-checkout.';

export function rememberBitcoinCheckout(checkout: BitcoinCheckout): void {
  try {
    window.sessionStorage.setItem(BITCOIN_KEY + checkout.paymentId, JSON.stringify(checkout));
  } catch {
    // Storage full or refused: the page still has it in memory until it is reloaded.
  }
  lastBitcoinCheckout = checkout;
}

let lastBitcoinCheckout: BitcoinCheckout | undefined;

export function bitcoinCheckoutOf(paymentId: string): BitcoinCheckout | undefined {
  if (lastBitcoinCheckout?.paymentId === paymentId) return lastBitcoinCheckout;
  try {
    const stored = window.sessionStorage.getItem(BITCOIN_KEY + paymentId);
    if (!stored) return undefined;
    const value = JSON.parse(stored) as Partial<BitcoinCheckout>;
    const valid =
      value.paymentId === paymentId &&
      typeof value.address === 'string' &&
      typeof value.amountBtc === 'string' &&
      typeof value.uri === 'string' &&
      value.uri.startsWith('bitcoin:') &&
      typeof value.expiresAt === 'string';
    return valid ? (value as BitcoinCheckout) : undefined;
  } catch {
    return undefined;
  }
}

/** Still waiting for the money: the page keeps watching (live, or by polling while the stream is down). */
export const awaitingMoney = (status: PaymentStatus): boolean => status === 'created' || status === 'pending';

export function resetPaymentsForTests(): void {
  refused.clear();
  lastBitcoinCheckout = undefined;
}
