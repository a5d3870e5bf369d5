import type { Clock } from '../../lib/clock.ts';
import { bitcoinPaymentUri } from './bip21.ts';
import { type Decimal, type FiatAmount, fiatToSatoshis, formatBtc, type Satoshis } from './money.ts';

/**
 * How long a bitcoin quote holds: the price was read at one moment and bitcoin moves. Ten minutes is
 * the Blockonomics WooCommerce plugin's default payment window (`blockonomics_timeperiod`). A payment
 * that arrives later is still seen (the callback names the address); what to do with it is the
 * payments module's call.
 */
export const DEFAULT_QUOTE_WINDOW_MS = 10 * 60 * 1000;

export interface BitcoinQuoteInput extends FiatAmount {
  address: string;
  /** Fiat units per bitcoin, from `priceOf(currency)`. */
  pricePerBtc: Decimal;
  clock: Clock;
  windowMs?: number;
  label?: string;
  message?: string;
}

/** The bitcoin side of a checkout answer: `{address, amountBtc, uri, expiresAt}` plus the integer amount to store. */
export interface BitcoinQuote {
  address: string;
  satoshis: Satoshis;
  /** Eight decimals, e.g. `"0.00012345"`. */
  amountBtc: string;
  /** BIP 21, for the QR code. */
  uri: string;
  expiresAt: Date;
}

export function quoteExpiry(clock: Clock, windowMs: number = DEFAULT_QUOTE_WINDOW_MS): Date {
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0)
    throw new RangeError(`The quote window must be a positive number of milliseconds, not ${windowMs}`);
  return new Date(clock.now().getTime() + windowMs);
}

export function quoteBitcoin(input: BitcoinQuoteInput): BitcoinQuote {
  const satoshis = fiatToSatoshis(input, input.pricePerBtc);
  return {
    address: input.address,
    satoshis,
    amountBtc: formatBtc(satoshis),
    uri: bitcoinPaymentUri({ address: input.address, satoshis, label: input.label, message: input.message }),
    expiresAt: quoteExpiry(input.clock, input.windowMs),
  };
}
