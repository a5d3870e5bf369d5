/**
 * Accounts: sign-up, sign-in, device accounts, sessions, API keys, throttles, staff actions, consent.
 *
 * The module's public surface: code outside src/modules/accounts/ imports only this file (the rule is
 * checked by `npm run lint`, see .dependency-cruiser.cjs). Export what another area uses, nothing more.
 */
export { authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';
export { onLocalAuthChange } from './auth-changes.ts';
export { DEVICE_SECRET_RULES } from './device-secret.ts';
export { DEVICE_ID_RULES, deviceHash, deviceSignIn, type PresentedToken } from './device-sign-in.ts';
export { confirmEmailVerification, requestEmailVerification } from './email-verification.ts';
export { endAllAccess, signOutEverywhereElse } from './end-access.ts';
export { type Credential, requireLiveCredential } from './live-credential.ts';
export { login, logout } from './login.ts';
export { lookupAccount } from './lookup-account.ts';
export { changePassword, confirmPasswordReset, requestPasswordReset } from './password-reset.ts';
export { ARGON2_OPTIONS, hashPassword } from './passwords.ts';
export { actsAsStaff, hasRole, type Principal, STAFF_ROLES } from './principal.ts';
export { processingRestricted, setProcessingRestriction } from './processing-restriction.ts';
export { acceptPolicy, getProfile } from './profile.ts';
export { randomValueProblem } from './random-values.ts';
export { reauthenticate } from './reauthenticate.ts';
export { ROLES, type Role } from './roles.ts';
export { ApiKey, NewApiKey, Profile, SecurityEvent, type SecurityEventView, Session, type SessionView } from './schemas.ts';
export { completeSecondFactor, SECOND_FACTOR_TTL_MS, type SecondFactorPending, type SecondFactorProof } from './second-factor.ts';
export { listSecurityEvents, recordSecurityEvent, SECURITY_EVENT_TYPES } from './security-events.ts';
export { authenticateSession, createSession, listSessions, revokeAllSessions, revokeSession } from './sessions.ts';
export { type SignedIn, signup } from './signup.ts';
export { createStaffAccount, findAccountByEmail, setRole, suspendAccount, unsuspendAccount } from './staff.ts';
export { confirmEnrolment, type EnrolmentLink, hasSecondFactor, issueEnrolment, readEnrolment } from './staff-enrolment.ts';
export { credentialStanding } from './standing.ts';
export { LOGIN_THROTTLE } from './throttle.ts';
export { hashToken, tokenKind } from './tokens.ts';
export { TRUSTED_DEVICE_MAX_AGE_S } from './trusted-device.ts';
export { upgradeDeviceAccount } from './upgrade-account.ts';
