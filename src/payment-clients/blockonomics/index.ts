/**
 * Blockonomics (bitcoin payments): the HTTP client, pricing and BIP 21 URIs, callback reading and the
 * crediting decision. No database here: the payments module stores what these functions return.
 */
export { bitcoinPaymentUri, isBitcoinAddress, type PaymentUriInput } from './bip21.ts';
export { type BlockonomicsCallback, blockonomicsCallbackQuery, type CallbackReading, readBlockonomicsCallback } from './callback.ts';
export {
  apiRoot,
  BLOCKONOMICS_DEFAULT_BASE,
  type BlockonomicsApi,
  type BlockonomicsCallOptions,
  type BlockonomicsClientOptions,
  type BlockonomicsFailure,
  type BlockonomicsFailureKind,
  type BlockonomicsResult,
  type BtcPrice,
  createBlockonomicsClient,
  type NewAddress,
} from './client.ts';
export { type CallbackStatus, type Confirmations, confirmationsSetting, creditsAt, DEFAULT_CONFIRMATIONS } from './confirmations.ts';
export {
  type BitcoinDecision,
  type BitcoinPaymentFacts,
  type BitcoinPaymentStatus,
  decideBitcoinPayment,
  type ObservedTransaction,
} from './decision.ts';
export {
  currencyMinorDigits,
  type Decimal,
  type FiatAmount,
  fiatToSatoshis,
  formatBtc,
  isSatoshis,
  MAX_SATOSHIS,
  parseDecimal,
  SATOSHIS_PER_BTC,
  type Satoshis,
} from './money.ts';
export { type BitcoinQuote, type BitcoinQuoteInput, DEFAULT_QUOTE_WINDOW_MS, quoteBitcoin, quoteExpiry } from './quote.ts';
