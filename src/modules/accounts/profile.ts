import { rawRows } from '../../db/raw-driver.ts';
import type { Purse } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { DomainError } from '../../lib/errors.ts';
import { type Ctx, withDb } from '../context.ts';
import { openFor } from '../keyring/index.ts';
import { type WalletBalance as Balance, walletBalance } from '../ledger/index.ts';
import type { Policy } from '../privacy/index.ts';
import { acceptedPolicyVersion, recordConsents, requireConsent } from './consents.ts';
import { recordSecurityEvent } from './security-events.ts';

export interface Profile {
  id: string;
  email: string | null;
  kind: 'email' | 'device';
  role: 'customer' | 'support' | 'admin';
  emailVerified: boolean;
  createdAt: Date;
  policy: { acceptedVersion: string | null; currentVersion: string; lastUpdated: string; acceptanceRequired: boolean };
  /** Both balances: the credits, and apart from them the demo credits. */
  balances: Record<Purse, Balance>;
}

/**
 * The account as its owner sees it, with its balances, read by one statement (GET /api/v1/me is read
 * more than anything but an order: ADR 22). The balances are read from the ledger's cached sums, as
 * `balancesOf` reads them.
 */
const PROFILE_SQL = `select a.id, a.email, a.kind, a.role, a.email_verified_at is not null as email_verified, a.created_at,
       (select c.policy_version from consents c where c.account_id = a.id and c.kind = 'privacy_policy'
        order by c.given_at desc, c.id desc limit 1) as accepted_version,
       w.posted as credits_posted, w.pending as credits_pending, d.posted as demo_posted, d.pending as demo_pending
  from accounts a
  left join ledger_accounts w on w.owner_account_id = a.id and w.purse = 'credits'
  left join ledger_accounts d on d.owner_account_id = a.id and d.purse = 'demo'
  where a.id = $1`;

interface ProfileRow {
  id: string;
  email: string | null;
  kind: Profile['kind'];
  role: Profile['role'];
  email_verified: boolean;
  created_at: Date | string;
  accepted_version: string | null;
  credits_posted: string | number | null;
  credits_pending: string | number | null;
  demo_posted: string | number | null;
  demo_pending: string | number | null;
}

const wallet = (posted: string | number | null, pending: string | number | null) =>
  walletBalance(posted === null || pending === null ? undefined : { posted, pending });

export async function getProfile(ctx: Ctx, accountId: string, policy: Policy): Promise<Profile> {
  const [account] = await rawRows<ProfileRow>(ctx.db, 'otpbox_account_profile_v1', PROFILE_SQL, [accountId]);
  if (!account) throw new DomainError('NOT_FOUND', 'No such account.');
  const accepted = account.accepted_version;
  return {
    id: account.id,
    email: await openFor(ctx, account.id, 'accounts.email', account.id, account.email),
    kind: account.kind,
    role: account.role,
    emailVerified: account.email_verified,
    createdAt: new Date(account.created_at),
    policy: {
      acceptedVersion: accepted,
      currentVersion: policy.version,
      lastUpdated: policy.lastUpdated,
      // Staff created from the command line never accepted the consumer policy; they are not asked.
      acceptanceRequired: account.role === 'customer' && accepted !== policy.version,
    },
    balances: {
      credits: wallet(account.credits_posted, account.credits_pending),
      demo: wallet(account.demo_posted, account.demo_pending),
    },
  };
}

/** Accept the current policy after it changed (P14); the age confirmation is given again with it. */
export async function acceptPolicy(
  ctx: Ctx,
  accountId: string,
  policy: Policy,
  input: { policyVersion: string; ageConfirmed: boolean },
): Promise<void> {
  requireConsent(policy, input);
  await transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    if ((await acceptedPolicyVersion(txCtx, accountId)) === policy.version) return;
    await recordConsents(txCtx, accountId, policy);
    await recordSecurityEvent(txCtx, { type: 'policy_accepted', accountId, details: { version: policy.version } });
  });
}
