import { bigint, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { activations } from './activations.ts';

/**
 * The numeric id of an order in the compatible protocols (SMS-Activate's `ACCESS_NUMBER:id:phone`, 5sim's
 * `id`), whose clients parse ids as integers: one per order, given the first time a compatible API
 * shows the order (ADR 29). Our own API keeps the `act_…` id; this only maps one to the other.
 */
export const orderNumbers = pgTable(
  'order_numbers',
  {
    number: bigint('number', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity({ startWith: 100_000_001 }),
    activationId: text('activation_id')
      .notNull()
      .references(() => activations.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [uniqueIndex('order_numbers_activation_key').on(t.activationId)],
);
