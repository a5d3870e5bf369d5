/**
 * Double-entry credits: wallets, grants, demo credits, statements and verification.
 *
 * The module's public surface: code outside src/modules/ledger/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { type Balance as WalletBalance, balanceOf, balancesOf, systemAccountFor, walletBalance, walletOf } from './accounts.ts';
export { announceBalanceChange, onLocalBalanceChange } from './balance-changes.ts';
export { grantDemoCredits, voidAllDemoCredits, voidDemoCredits } from './demo.ts';
export { Balance, StatementLine, type StatementLineView } from './schemas.ts';
export { listStatement } from './statement.ts';
export {
  accountRestricted,
  HOLD_REFUSED,
  holdCtes,
  holdParams,
  insufficientCredits,
  refusal,
  runTransferStatement,
  TRANSFER_STATEMENTS,
  walletRef,
} from './transfer.ts';
export {
  captureHold,
  chargeBack,
  creditPurchase,
  deductCredits,
  forfeitBalance,
  grantCredits,
  holdCredits,
  liftRestriction,
  lockWallet,
  RESOLVE_CTES,
  RESOLVE_RESULT,
  RESOLVED_ACCOUNTS,
  type ResolveParam,
  releaseHold,
  resolvedHold,
  resolveValues,
  restrictWallet,
  reverseTransfer,
  VERB_STATEMENTS,
} from './verbs.ts';
export { type LedgerReport, verifyLedger } from './verify.ts';
