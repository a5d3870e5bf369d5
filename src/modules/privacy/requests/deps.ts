import type { Ctx } from '../../context.ts';
import type { ErasureDeps } from '../erasure/deps.ts';

/**
 * The account's processing restriction, which the accounts module owns (it sits above privacy, so
 * privacy declares the port and accounts' `setProcessingRestriction` implements it). Runs in the
 * caller's transaction; answers whether anything changed.
 */
export type SetProcessingRestriction = (ctx: Ctx, accountId: string, restricted: boolean, reason: string) => Promise<boolean>;

export interface RequestDeps {
  setProcessingRestriction: SetProcessingRestriction;
  /** Ends every way into the account, when staff complete an `erasure` request (see erasure/mark-deleted.ts). */
  endAccess: ErasureDeps['endAccess'];
}
