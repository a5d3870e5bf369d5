import type { Ctx } from '../../context.ts';

/**
 * The account's processing restriction, which the accounts module owns (it sits above privacy, so
 * privacy declares the port and accounts' `setProcessingRestriction` implements it). Runs in the
 * caller's transaction; answers whether anything changed.
 */
export type SetProcessingRestriction = (ctx: Ctx, accountId: string, restricted: boolean, reason: string) => Promise<boolean>;

export interface RequestDeps {
  setProcessingRestriction: SetProcessingRestriction;
}
