import type { Config } from '../../config.ts';
import { type Executor, rowMapper } from '../../db/client.ts';
import { runStatement } from '../../db/raw-driver.ts';
import { poolLeases } from '../../db/schema/index.ts';
import { CLOCK_SKEW_MS, type LeaseForMessage, leaseAt } from './leases.ts';
import { parseE164 } from './numbers.ts';
import { RECEIVER_LEASE } from './statements.ts';

const leaseFromDriver = rowMapper(poolLeases);

/**
 * Where an SMS a gateway received went, in one statement: the pool number it reached (undefined when
 * the gateway named a receiver the pool does not know) and the lease it belongs to (see
 * `leaseForMessage`), locked for the message's transaction.
 */
export async function receiverLease(
  tx: Executor,
  config: Pick<Config, 'poolCooldownMs'>,
  gatewayId: string,
  receiver: { number?: string; device?: string; sim?: number },
  at: Date,
): Promise<{ numberId?: string; lease?: LeaseForMessage }> {
  const number = receiver.number ? (parseE164(receiver.number)?.number ?? receiver.number.trim()) : null;
  const [row] = await runStatement(tx, RECEIVER_LEASE, {
    gateway: gatewayId,
    device: receiver.device ?? null,
    sim: receiver.sim ?? null,
    number,
    startedBy: new Date(at.getTime() + CLOCK_SKEW_MS).toISOString(),
  });
  if (!row) return {};
  const numberId = row.picked_number_id as string;
  if (row.id === null || row.id === undefined) return { numberId };
  return { numberId, lease: leaseAt(leaseFromDriver(row), config, at) };
}
