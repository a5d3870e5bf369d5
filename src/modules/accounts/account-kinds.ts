import type { AccountKindOffered } from '../../config.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Ctx } from '../context.ts';

const WORDS: Record<AccountKindOffered, string> = {
  email: 'E-mail accounts are not offered by this service: use the app, which opens an anonymous account.',
  device: 'Anonymous app accounts are not offered by this service: sign up with an e-mail address.',
};

/**
 * New accounts of a kind the operator does not offer (ACCOUNT_KINDS) are refused; the published
 * policy says which kinds are offered. Accounts that exist keep signing in whatever the setting.
 */
export function requireKindOffered(ctx: Pick<Ctx, 'config'>, kind: AccountKindOffered): void {
  if (!ctx.config.accountKinds.includes(kind)) throw new DomainError('ACCOUNT_KIND_UNAVAILABLE', WORDS[kind], { kind });
}
