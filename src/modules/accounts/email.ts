/** E-mail addresses are compared trimmed and lower-cased (ASVS: normalise identifiers before use). */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();
