import type { TestDatabase } from '../../../../test/support/database.ts';
import { bareCustomer, moduleCtx } from '../../../../test/support/module-ctx.ts';
import { ManualClock } from '../../../lib/clock.ts';
import type { Ctx } from '../../context.ts';

export const clock = new ManualClock('2026-12-01T10:00:00Z');

export const ledgerCtx = (database: TestDatabase, actor?: string): Ctx => moduleCtx(database, clock, actor);

/** A bare customer account row. */
export const customer = (database: TestDatabase): Promise<string> => bareCustomer(database, clock);

let keys = 0;
export const key = (label = 'k') => `${label}:${++keys}:${Math.random().toString(36).slice(2)}`;
export const inAnHour = () => new Date(clock.now().getTime() + 3_600_000);
