/**
 * A client's price ceiling (`maxPrice` of SMS-Activate's getNumber, of 5sim's buy) in whole credits, read
 * the same way by both protocols: a decimal amount of the operator's unit (`0.81`, `0,81`), or a number
 * in exponent notation (`1e5`), which clients written in other languages send. Rounded down (a maximum
 * is never exceeded). A ceiling above every price means "no ceiling": it is capped at the largest whole
 * number the domain takes, never passed on as a float. `undefined` when the text is not a non-negative
 * finite number.
 */
export function ceilingCredits(text: string, creditsPerUnit: number): number | undefined {
  const trimmed = text.trim();
  const decimal = DECIMAL.exec(trimmed);
  if (decimal) {
    const fraction = decimal[2] ?? '';
    const credits = (BigInt(`${decimal[1]}${fraction}`) * BigInt(creditsPerUnit)) / 10n ** BigInt(fraction.length);
    return credits > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(credits);
  }
  const exponent = EXPONENT.exec(trimmed);
  if (!exponent) return undefined;
  // Exactly, as the decimal above, never through a double: `1.6999999999e-1` is below 0.17, and
  // `1e999` a finite amount above every price (no ceiling).
  const [, whole = '', fraction = '', power = '0'] = exponent;
  const digits = BigInt(`${whole}${fraction}`);
  const shift = Number(power) - fraction.length;
  if (digits === 0n || shift < -60) return 0;
  if (shift > 30) return Number.MAX_SAFE_INTEGER;
  const scaled = digits * BigInt(creditsPerUnit);
  const credits = shift >= 0 ? scaled * 10n ** BigInt(shift) : scaled / 10n ** BigInt(-shift);
  return credits > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(credits);
}

const DECIMAL = /^(\d{1,30})(?:[.,](\d{0,12}))?$/;
const EXPONENT = /^(\d{1,30})(?:\.(\d{0,30}))?[eE]([+-]?\d{1,10})$/;
