/**
 * Bitcoin amounts as integers. A satoshi is 10⁻⁸ BTC; the whole supply (21 million BTC) is
 * 2.1 × 10¹⁵ satoshis, below 2⁵³, so a JavaScript number holds any real amount exactly. Products of
 * amounts (price × satoshis, credits × satoshis) can pass 2⁵³, so they are computed in bigint.
 */

export type Satoshis = number;

export const SATOSHIS_PER_BTC = 100_000_000;
export const MAX_SATOSHIS: Satoshis = 21_000_000 * SATOSHIS_PER_BTC;

export function isSatoshis(value: unknown): value is Satoshis {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_SATOSHIS;
}

function checkSatoshis(value: number, what: string): void {
  if (!isSatoshis(value)) throw new RangeError(`${what} must be a whole number of satoshis from 0 to ${MAX_SATOSHIS}, not ${value}`);
}

/** `12345` → `"0.00012345"`: always eight decimal places, built from integers (no float formatting). */
export function formatBtc(satoshis: Satoshis): string {
  checkSatoshis(satoshis, 'An amount');
  const whole = Math.floor(satoshis / SATOSHIS_PER_BTC);
  const fraction = satoshis % SATOSHIS_PER_BTC;
  return `${whole}.${String(fraction).padStart(8, '0')}`;
}

/** A non-negative decimal as an integer and a scale: `43251.23` → `{ units: 4325123n, scale: 2 }`. */
export interface Decimal {
  units: bigint;
  scale: number;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i;

/**
 * Reads a decimal exactly. A JSON number arrives as a double: its shortest round-trip text
 * (`String(n)`) is the literal the server wrote whenever that literal had 15 significant digits or
 * fewer, which any fiat price has, so the conversion goes through that text and never multiplies floats.
 */
export function parseDecimal(value: string | number): Decimal | null {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  const match = DECIMAL.exec(String(value).trim());
  if (!match) return null;
  const [, whole = '', fraction = '', exponent = '0'] = match;
  let scale = fraction.length - Number(exponent);
  let units = BigInt(whole + fraction);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

/**
 * Digits after the decimal point of a currency's minor unit, from the runtime's CLDR data: USD 2,
 * JPY 0, BHD 3. Pass `minorDigits` explicitly where the package's price was stored with another
 * convention (a processor's own table); both sides of a conversion must use the same one.
 */
export function currencyMinorDigits(currency: string): number {
  if (!/^[A-Z]{3}$/.test(currency)) throw new RangeError(`Not an ISO 4217 currency code: ${JSON.stringify(currency)}`);
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export interface FiatAmount {
  /** In the currency's minor unit: 499 for USD 4.99. */
  amountMinor: number;
  /** ISO 4217, upper case. */
  currency: string;
  /** Default: `currencyMinorDigits(currency)`. */
  minorDigits?: number;
}

/**
 * What a fiat amount costs in satoshis at `pricePerBtc` (fiat units for one bitcoin, as Blockonomics'
 * `/api/price` quotes it), rounded UP to the next satoshi: the customer pays at most one satoshi more,
 * never less than the package's price.
 *
 *   satoshis = ⌈ amountMinor × 10⁸ × 10^scale / (10^minorDigits × units) ⌉
 */
export function fiatToSatoshis(amount: FiatAmount, pricePerBtc: Decimal): Satoshis {
  const { amountMinor, currency } = amount;
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0)
    throw new RangeError(`amountMinor must be a positive integer, not ${amountMinor}`);
  const minorDigits = amount.minorDigits ?? currencyMinorDigits(currency);
  if (!Number.isInteger(minorDigits) || minorDigits < 0 || minorDigits > 6)
    throw new RangeError(`minorDigits out of range: ${minorDigits}`);
  if (pricePerBtc.units <= 0n) throw new RangeError('The price of a bitcoin must be positive');

  const numerator = BigInt(amountMinor) * BigInt(SATOSHIS_PER_BTC) * 10n ** BigInt(pricePerBtc.scale);
  const denominator = 10n ** BigInt(minorDigits) * pricePerBtc.units;
  const satoshis = (numerator + denominator - 1n) / denominator;
  if (satoshis > BigInt(MAX_SATOSHIS))
    throw new RangeError(`${amountMinor} ${currency} minor units is more than all bitcoin in existence at this price`);
  return Number(satoshis);
}
