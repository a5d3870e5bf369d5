import { and, eq, inArray, isNull } from 'drizzle-orm';
import { gateways, poolNumbers } from '../../db/schema/index.ts';
import { listTwilioNumbers, type TwilioFailure } from '../../gateway-clients/twilio/index.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Ctx } from '../context.ts';
import { findGateway, gatewaySecret } from './gateways.ts';

/** One number of the gateway's Twilio account, beside the pool. */
export interface AccountNumberView {
  /** E.164. */
  number: string;
  /** Twilio's `PN…`. */
  sid: string;
  friendlyName: string;
  /** In the pool on this gateway. */
  inPool: boolean;
  /** In the pool on another gateway (then its name), else null. */
  otherGateway: string | null;
  /** Where Twilio sends its inbound SMS ("A message comes in"); null when none is set. */
  smsUrl: string | null;
  /** `smsUrl` is this gateway's webhook URL exactly (what Twilio signs: scheme, host, port, path). */
  smsUrlIsOurs: boolean;
}

export type AccountNumbers =
  | { ok: true; gateway: string; webhookUrl: string; numbers: AccountNumberView[] }
  | { ok: false; gateway: string; failure: TwilioFailure };

/**
 * The numbers of a Twilio gateway's account (its Account SID, its sealed Auth Token, its API base),
 * each marked whether it is in the pool and whether its "A message comes in" URL is this gateway's
 * webhook — what an operator checks before and after `numbers add`. Reads only; Twilio's failures
 * (wrong credentials, unreachable, …) are returned, typed, never with the token. Other kinds have no
 * account to list: refused.
 */
export async function listGatewayAccountNumbers(ctx: Ctx, name: string, options: { timeoutMs?: number } = {}): Promise<AccountNumbers> {
  const gateway = await findGateway(ctx.db, name);
  if (!gateway) throw new DomainError('NOT_FOUND', `No gateway named "${name}". See \`otpbox gateways list\`.`);
  if (gateway.kind !== 'twilio')
    throw new DomainError(
      'VALIDATION_FAILED',
      `"${gateway.name}" is a ${gateway.kind} gateway: only a Twilio gateway has an account whose numbers can be listed (its pool numbers: otpbox numbers list --gateway ${gateway.name})`,
    );
  const webhookUrl = `${ctx.config.publicUrl}/webhooks/gateways/${gateway.name}`;
  const listed = await listTwilioNumbers(
    { accountSid: gateway.settings.accountSid ?? '', authToken: gatewaySecret(ctx.keys, gateway), apiBase: gateway.settings.apiBase },
    { timeoutMs: options.timeoutMs },
  );
  if (!listed.ok) return { ok: false, gateway: gateway.name, failure: listed.failure };

  const numbers = listed.value.map((n) => n.number);
  const pooled =
    numbers.length === 0
      ? []
      : await ctx.db
          .select({ number: poolNumbers.number, gatewayId: poolNumbers.gatewayId, gateway: gateways.name })
          .from(poolNumbers)
          .innerJoin(gateways, eq(gateways.id, poolNumbers.gatewayId))
          .where(and(inArray(poolNumbers.number, numbers), isNull(poolNumbers.removedAt)));
  const byNumber = new Map(pooled.map((row) => [row.number, row]));
  return {
    ok: true,
    gateway: gateway.name,
    webhookUrl,
    numbers: listed.value
      .map((n) => {
        const inPool = byNumber.get(n.number);
        return {
          number: n.number,
          sid: n.sid,
          friendlyName: n.friendlyName,
          inPool: inPool?.gatewayId === gateway.id,
          otherGateway: inPool && inPool.gatewayId !== gateway.id ? inPool.gateway : null,
          smsUrl: n.smsUrl,
          smsUrlIsOurs: n.smsUrl === webhookUrl,
        };
      })
      .sort((a, b) => a.number.localeCompare(b.number)),
  };
}
