import type { Executor } from '../../db/client.ts';
import { gatewayReplays } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import type { InboundSms } from '../../gateway-clients/port.ts';
import { DomainError } from '../../lib/errors.ts';
import type { ActivationDeps } from '../activations/index.ts';
import { type Ctx, withDb } from '../context.ts';
import { type GatewayRow, gatewaySeen, logTransition, syncPoolStock } from '../pool/index.ts';
import { type GatewayRef, type GatewaySmsOutcome, receiveGatewaySms } from './receive-gateway-sms.ts';

/** A delivery without messages (a sign of life): its replay key alone, one statement. */
async function recordReplayKey(tx: Executor, gatewayId: string, replayKey: string, now: Date): Promise<void> {
  const fresh = await tx
    .insert(gatewayReplays)
    .values({ gatewayId, replayKey, seenAt: now })
    .onConflictDoNothing()
    .returning({ key: gatewayReplays.replayKey });
  if (fresh.length === 0)
    throw new DomainError('CONFLICT', 'This delivery was already received (the same timestamp and signature): a replay is refused.');
}

/**
 * A genuine delivery from a gateway (its signature checked by the channel): refused as a replay when
 * the very same signed delivery was accepted before (409); else every message is routed, in one
 * transaction with the replay row (recorded with the first message's routing). Then the gateway is seen (`up`, last seen now; not written again
 * within 30 s, so that a busy gateway's deliveries do not queue on its row); a gateway back from
 * `down` puts its numbers in stock again.
 */
export async function acceptGatewayDelivery(
  ctx: Ctx,
  deps: ActivationDeps,
  gateway: GatewayRef & Pick<GatewayRow, 'state' | 'lastSeenAt'>,
  delivery: { messages: InboundSms[]; replayKey: string },
): Promise<GatewaySmsOutcome[]> {
  const [first, ...others] = delivery.messages;
  const outcomes = first
    ? await transaction(ctx.db, async (tx) => {
        // The replay key is recorded by the first message's routing, in the same round trip.
        const routed = [await receiveGatewaySms(withDb(ctx, tx), deps, gateway, first, delivery.replayKey)];
        for (const sms of others) routed.push(await receiveGatewaySms(withDb(ctx, tx), deps, gateway, sms));
        return routed;
      })
    : await recordReplayKey(ctx.db, gateway.id, delivery.replayKey, ctx.clock.now()).then(() => []);
  const before = await gatewaySeen(ctx.db, gateway, ctx.clock.now());
  if (before && before !== 'up') {
    logTransition(ctx, gateway.name, 'up');
    if (before === 'down') await syncPoolStock(ctx.db, ctx.config, ctx.clock.now());
  }
  return outcomes;
}
