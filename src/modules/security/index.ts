/**
 * The staff security review (issue 19, console "Security"): security events across accounts, what the
 * sign-in throttles block now (an admin may lift a block), and the staff audit log. The http layer logs
 * the staff reads of one account's data (privacy module).
 *
 * The module's public surface: code outside src/modules/security/ imports only this file.
 */
export { liftLockout } from './lift-lockout.ts';
export { accountExists, currentLockouts, lockoutRef, MAX_LOCKOUTS, searchAuditLog, searchSecurityEvents } from './review.ts';
export { AuditEntry, Lockout, SecurityEventType, StaffSecurityEvent } from './schemas.ts';
