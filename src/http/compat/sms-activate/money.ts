/**
 * Credits as the protocol's money: a decimal amount of the operator's currency unit, CREDITS_PER_USD
 * credits to 1.00 (`ACCESS_BALANCE:12.34`, `activationCost`, getPrices' `cost`; `maxPrice` is read by
 * `compat/price-ceiling.ts`, as 5sim's is). Integer
 * arithmetic throughout; two decimals, or as many as the rate needs to say every credit (1000 → 3).
 */
export function decimalsFor(creditsPerUnit: number): number {
  return Math.min(6, Math.max(2, Math.ceil(Math.log10(creditsPerUnit))));
}

/**
 * `credits` in units, as text. A balance is rounded down (never more than can be spent), a price up (a
 * `maxPrice` copied from it always covers it).
 */
export function unitsOf(credits: number, creditsPerUnit: number, rounding: 'down' | 'up'): string {
  const decimals = decimalsFor(creditsPerUnit);
  const scale = 10n ** BigInt(decimals);
  const numerator = BigInt(credits) * scale;
  const rate = BigInt(creditsPerUnit);
  let scaled = numerator / rate;
  if (rounding === 'up' && scaled * rate < numerator) scaled += 1n;
  const digits = scaled.toString().padStart(decimals + 1, '0');
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** The same amount as a JSON number (for the JSON answers, whose clients read numbers). */
export const unitsNumber = (credits: number, creditsPerUnit: number, rounding: 'down' | 'up'): number =>
  Number(unitsOf(credits, creditsPerUnit, rounding));
