import { createHmac } from 'node:crypto';
import type { SecretKeys } from '../../lib/secrets.ts';

/**
 * How a staff member is named to the customers whose data they read: `staff_` and 16 hex digits of a
 * keyed hash of their account id. Stable (the same person always has the same reference, so a customer
 * can tell one reader from two and quote it to the operator), pseudonymous (not their e-mail, not
 * their account id), and only the operator, who holds SECRET_KEY, can say who it is.
 */
export function staffRef(keys: SecretKeys, staffAccountId: string): string {
  return `staff_${createHmac('sha256', keys.derive('staff-ref')).update(staffAccountId).digest('hex').slice(0, 16)}`;
}

/** An actor column's value as a customer may see it: staff account ids become their reference. */
export const actorForCustomer = (keys: SecretKeys, actor: unknown, accountId: string): unknown =>
  typeof actor === 'string' && actor.startsWith('acc_') && actor !== accountId ? staffRef(keys, actor) : actor;
