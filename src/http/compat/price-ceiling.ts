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
  if (!EXPONENT.test(trimmed)) return undefined;
  // `1e999` is a finite amount written big (past what a double holds): above every price, so no ceiling.
  const units = Number(trimmed);
  if (units === Number.POSITIVE_INFINITY) return Number.MAX_SAFE_INTEGER;
  return Math.min(Math.floor(units * creditsPerUnit + 1e-9), Number.MAX_SAFE_INTEGER);
}

const DECIMAL = /^(\d{1,30})(?:[.,](\d{0,12}))?$/;
const EXPONENT = /^\d+(?:\.\d*)?[eE][+-]?\d{1,10}$/;
