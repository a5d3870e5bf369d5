import type { AccountKind, AccountStatus, Role } from '../../db/schema/index.ts';

/** Who a request acts as, once its credential checked out. */
export interface Principal {
  accountId: string;
  role: Role;
  status: AccountStatus;
  /** Processing restricted at the customer's request (Art. 18): signed in as usual, but no orders. */
  processingRestricted: boolean;
  kind: AccountKind;
  email: string | null;
  via: 'session' | 'device' | 'api_key';
  sessionId?: string;
  apiKeyId?: string;
  /** A browser session completed with the second factor (staff, ADR 31); never an API key or device token. */
  secondFactor: boolean;
  /** Until when this answer may be reused without asking the database again (sessions: expiry, idle timeout, next touch). */
  validUntil?: Date;
}

/** Role checks live here and nowhere else. */
export const STAFF_ROLES: readonly Role[] = ['support', 'admin'];
export const hasRole = (principal: Pick<Principal, 'role'>, allowed: readonly Role[]): boolean => allowed.includes(principal.role);
/**
 * Staff powers need a browser session that the second factor completed: a staff account's API key, or
 * a session from before its enrolment, acts as that account on customer routes only.
 */
export const actsAsStaff = (principal: Pick<Principal, 'via' | 'secondFactor'>): boolean =>
  principal.via === 'session' && principal.secondFactor;
