import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../../lib/secrets.ts';
import type { PushRequest } from '../../provider-clients/port.ts';
import type { ActivationDeps } from '../activations/index.ts';
import { receiveSms } from '../activations/index.ts';
import type { Ctx } from '../context.ts';

export type PushOutcome =
  | { kind: 'unknown_provider' }
  | { kind: 'bad_token' }
  | { kind: 'not_supported' }
  | { kind: 'unreadable'; message: string }
  | { kind: 'accepted'; received: number; ignored: number };

/**
 * An SMS pushed by a provider to `/webhooks/providers/{name}?token=…`. The protocol family signs
 * nothing, so the URL carries a secret given to the operator at `providers add` (stored hashed,
 * compared in constant time). Even then a push is trusted only for an open order that provider sold
 * under that upstream id: anything else is ignored (and the answer does not say which).
 */
export async function acceptPush(
  ctx: Ctx,
  deps: ActivationDeps,
  name: string,
  token: string | undefined,
  request: PushRequest,
): Promise<PushOutcome> {
  const provider = deps.providers?.row(name);
  const port = deps.providers?.port(name);
  if (!provider || !port) return { kind: 'unknown_provider' };
  const presented = createHash('sha256')
    .update(token ?? '')
    .digest('hex');
  if (!token || !constantTimeEqual(presented, provider.pushTokenHash)) return { kind: 'bad_token' };
  if (!port.parsePush) return { kind: 'not_supported' };
  const parsed = port.parsePush(request);
  if (!parsed.ok) return { kind: 'unreadable', message: parsed.failure.message };
  let received = 0;
  let ignored = 0;
  for (const sms of parsed.value) {
    const { outcome } = await receiveSms(ctx, deps, {
      target: { provider: name, upstreamId: sms.upstreamId },
      text: sms.text,
      providerCode: sms.code,
      receivedAt: sms.receivedAt ?? undefined,
      messageId: sms.messageId,
      source: 'provider_push',
    });
    if (outcome === 'unknown_order') ignored++;
    else received++;
  }
  deps.providers?.pushSeen(name, ctx.clock.now());
  return { kind: 'accepted', received, ignored };
}
