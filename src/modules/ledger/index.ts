/**
 * Double-entry credits: wallets, grants, demo credits, statements and verification.
 *
 * The module's public surface: code outside src/modules/ledger/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { balanceOf, balancesOf, systemAccountFor, walletOf } from './accounts.ts';
export { grantDemoCredits, voidAllDemoCredits } from './demo.ts';
export { listStatement } from './statement.ts';
export {
  accountRestricted,
  HOLD_REFUSED,
  type HoldParams,
  holdCtes,
  insufficientCredits,
  refusal,
  runTransferStatement,
  walletRef,
} from './transfer.ts';
export { captureHold, grantCredits, holdCredits, releaseHold } from './verbs.ts';
export { type LedgerReport, verifyLedger } from './verify.ts';
