/**
 * The published privacy policy and the data map (every table and column holding personal data).
 *
 * The module's public surface: code outside src/modules/privacy/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { DATA_MAP, type ExportRule, type Owner, RECIPIENTS, type Recipient, recipientsFor, type TableEntry } from './data-map.ts';
export { EXPORT_FORMAT, exportAccountData } from './export.ts';
export { ownedRows, ownedTables } from './owner-paths.ts';
export { loadCurrentPolicy, type Policy } from './policy.ts';
export { renderPolicy } from './policy-text.ts';
export { AccountExportDocument, PrivacyPolicy, StaffAccess } from './schemas.ts';
export { listStaffAccess, recordStaffAccess, STAFF_READS, type StaffRead } from './staff-access.ts';
export { staffRef } from './staff-ref.ts';
