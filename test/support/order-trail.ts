import type { Executor } from '../../src/db/client.ts';
import { activationEvents } from '../../src/db/schema/index.ts';
import { type ActivationStatus, allows, CREATED_EVENT, INITIAL_STATUS } from '../../src/modules/activations/index.ts';

/**
 * Every audit event in the database that the order state table does not allow (an order's `created`
 * event starts it in the initial status): what the code paths a test file drove really wrote.
 */
export async function eventsOutsideTheTable(db: Executor): Promise<{ type: string; from: string | null; to: string | null }[]> {
  const events = await db
    .selectDistinct({ type: activationEvents.type, from: activationEvents.fromStatus, to: activationEvents.toStatus })
    .from(activationEvents);
  return events.filter(({ type, from, to }) =>
    type === CREATED_EVENT
      ? from !== INITIAL_STATUS || to !== INITIAL_STATUS
      : !allows(from as ActivationStatus, to as ActivationStatus, type),
  );
}
