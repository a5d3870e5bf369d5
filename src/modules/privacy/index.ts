/**
 * The published privacy policy and the data map (every table and column holding personal data).
 *
 * The module's public surface: code outside src/modules/privacy/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export {
  DATA_MAP,
  type ExportRule,
  type Owner,
  periodDays,
  RECIPIENTS,
  type Recipient,
  type RetentionSetting,
  recipientsFor,
  type TableEntry,
} from './data-map.ts';
export { completeErasures } from './erasure/complete-erasures.ts';
export type { ErasureDeps } from './erasure/deps.ts';
export {
  DEMO_FORFEIT_REASON,
  ERASURE_DAYS,
  ERASURE_FORCE_DAYS,
  type ErasureOutcome,
  eraseAccount,
  FORFEIT_REASON,
} from './erasure/erase-account.ts';
export { EXPORT_FORMAT, exportAccountData } from './export.ts';
export { ownedRows, ownedTables } from './owner-paths.ts';
export { loadCurrentPolicy, type Policy } from './policy.ts';
export { renderPolicy } from './policy-text.ts';
export { ERASURE_RESOLUTIONS } from './requests/close-at-erasure.ts';
export { countOpenRequests, type RequestCounts } from './requests/count-requests.ts';
export type { RequestDeps, SetProcessingRestriction } from './requests/deps.ts';
export { fileRequestByEmail } from './requests/file-by-email.ts';
export { fileRequest } from './requests/file-request.ts';
export { getOwnRequest, listOwnRequests, listRequestQueue } from './requests/find-requests.ts';
export { liftProcessingRestriction } from './requests/lift-restriction.ts';
export { moveRequest, type StaffMove } from './requests/move-request.ts';
export {
  PrivacyRequest,
  PrivacyRequestType,
  type PrivacyRequestView,
  QueuedPrivacyRequest,
  type QueuedPrivacyRequestView,
} from './requests/schemas.ts';
export { verifyRequest } from './requests/verify-request.ts';
export { daysLeft, type RequestRow, toQueuedView, toRequestView } from './requests/view.ts';
export { withdrawRequest } from './requests/withdraw-request.ts';
export {
  countRetention,
  purgeRetention,
  RETENTION_BATCH,
  type RetentionTarget,
  retentionTargets,
  summariseRetention,
  type TargetCount,
} from './retention.ts';
export { AccountDeleted, AccountExportDocument, PrivacyPolicy, StaffAccess } from './schemas.ts';
export { listStaffAccess, recordStaffAccess, STAFF_READS, type StaffRead } from './staff-access.ts';
export { refuseStaffAccountToSupport } from './staff-reach.ts';
export { staffRef } from './staff-ref.ts';
