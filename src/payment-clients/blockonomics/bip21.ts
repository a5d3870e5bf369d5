import { formatBtc, type Satoshis } from './money.ts';

/**
 * Bitcoin addresses as Blockonomics hands them out, checked by shape before they are shown to a
 * customer or put into a URI: a Base58 address (P2PKH `1…`, P2SH `3…`, testnet `m…`/`n…`/`2…`) or a
 * Bech32/Bech32m one (`bc1…`, testnet `tb1…`, regtest `bcrt1…`) in one case. The checksum is not
 * verified: the address comes from Blockonomics over TLS, and what this guards against is a reply
 * that is not an address at all (HTML, an error text, characters that would break the URI).
 */
const BASE58 = /^[123mn][1-9A-HJ-NP-Za-km-z]{25,34}$/;
// After the `1` separator: Bech32's 32-letter alphabet (no 1, b, i, o); segwit v0 is 42 or 62 characters, taproot 62.
const BECH32_LOWER = /^(bc|tb|bcrt)1[02-9ac-hj-np-z]{8,87}$/;

export function isBitcoinAddress(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 90) return false;
  if (BASE58.test(value)) return true;
  // Bech32 is case-insensitive but never mixed-case (BIP 173).
  if (value !== value.toLowerCase() && value !== value.toUpperCase()) return false;
  return BECH32_LOWER.test(value.toLowerCase());
}

export interface PaymentUriInput {
  address: string;
  satoshis: Satoshis;
  /** Shown by some wallets next to the amount (BIP 21 `label`), e.g. the operator's name. */
  label?: string;
  /** BIP 21 `message`, e.g. "otpbox credits pay_…". */
  message?: string;
}

/**
 * A BIP 21 URI for the QR code: `bitcoin:ADDRESS?amount=0.00012345`. The amount is in BTC with eight
 * decimals, formatted from the integer satoshis; label and message are percent-encoded.
 */
export function bitcoinPaymentUri(input: PaymentUriInput): string {
  if (!isBitcoinAddress(input.address)) throw new TypeError(`Not a bitcoin address: ${JSON.stringify(input.address)}`);
  if (input.satoshis <= 0) throw new RangeError('A payment URI needs a positive amount');
  const params = [`amount=${formatBtc(input.satoshis)}`];
  if (input.label) params.push(`label=${encodeURIComponent(input.label)}`);
  if (input.message) params.push(`message=${encodeURIComponent(input.message)}`);
  return `bitcoin:${input.address}?${params.join('&')}`;
}
