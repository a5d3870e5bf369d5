/**
 * The keyring and sealing (ADR 28): per-account data keys kept apart from the data, personal values
 * sealed under them, and crypto-shredding — destroying the key makes the account's sealed values
 * unreadable everywhere, backups included.
 *
 * The module's public surface: code outside src/modules/keyring/ imports only this file.
 */
export {
  AccountKey,
  AccountKeyDestroyedError,
  accountKeyForSealing,
  forgetAccountKey,
  isAccountKeyCached,
  type KeyCtx,
  openFor,
  openStrict,
  readAccountKey,
  readAccountKeys,
  sealFor,
} from './account-key.ts';
export { destroyAccountKey } from './destroy-account-key.ts';
export { emailLookupHash, normaliseEmail, normalisePhone, phoneLookupHash } from './email-hash.ts';
export { SEALED_FIELDS, type SealedField } from './fields.ts';
export { SealedValueError } from './seal.ts';
export { SEALED_SETTING, sealExistingData } from './seal-existing.ts';
