/**
 * The operator console's verbs over accounts (ADR 32): search, an account's activity, and staff
 * actions, each one transaction with its audit row and the customer's access-log entry.
 *
 * The module's public surface: code outside src/modules/console/ imports only this file. It uses the
 * modules below it and nothing uses it but http/.
 */
export {
  type ActionContext,
  changeRoleAsStaff,
  deductCreditsAsStaff,
  endSessionsAsStaff,
  grantCreditsAsStaff,
  liftRestrictionAsStaff,
  restrictAsStaff,
  suspendAsStaff,
  unsuspendAsStaff,
} from './account-actions.ts';
export { ACTIVITY_LIMIT, type AccountActivity, accountActivity } from './account-activity.ts';
export {
  DEFAULT_SUPPORT_GRANT_LIMIT,
  DEFAULT_SUPPORT_GRANT_PER_DAY,
  MAX_GRANT,
  setSupportGrantLimits,
  supportGrantLimits,
} from './grant-limit.ts';
export { MAX_ORDER_PAGE, type OrderSearchedBy, orderLife, orderSearchKind, searchOrders } from './orders.ts';
export {
  EnrolmentLinkView,
  StaffAccountSummary,
  StaffActionRecord,
  StaffMember,
  StaffOrder,
  StaffOrderLife,
  StaffOrderListItem,
  StaffRental,
} from './schemas.ts';
export { type SearchedBy, searchAccounts, searchKind } from './search-accounts.ts';
export { createStaffAsAdmin, listStaff, resetSecondFactorAsAdmin } from './staff-accounts.ts';
export type { StaffActor } from './staff-action.ts';
