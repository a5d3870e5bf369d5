import { and, desc, eq, lt } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Executor } from '../../db/client.ts';
import { rentals } from '../../db/schema/index.ts';
import { rentalDayPrice, rentalStock, rentalTerms } from '../pool/index.ts';
import { MAX_RENTAL_DAYS, type RentalOffersView } from './schemas.ts';
import { notFound, type RentalRow } from './store.ts';

/** One rental of the account (another account's is not found: 404, never 403). */
export async function getRental(db: Executor, accountId: string, id: string): Promise<RentalRow> {
  const [row] = await db
    .select()
    .from(rentals)
    .where(and(eq(rentals.id, id), eq(rentals.accountId, accountId)));
  if (!row) throw notFound();
  return row;
}

/** The account's rentals, newest first, `limit + 1` read (the caller pages). */
export async function listRentals(db: Executor, accountId: string, page: { cursor?: string; limit: number }): Promise<RentalRow[]> {
  return db
    .select()
    .from(rentals)
    .where(and(eq(rentals.accountId, accountId), page.cursor ? lt(rentals.id, page.cursor) : undefined))
    .orderBy(desc(rentals.id))
    .limit(page.limit + 1);
}

/** What can be rented now, per country, and the price of a day in credits. */
export async function rentalOffers(
  db: Executor,
  config: Pick<Config, 'creditsPerUsd' | 'poolReuseDays'>,
  now: Date,
): Promise<RentalOffersView> {
  const terms = await rentalTerms(db, config);
  if (!terms) return { offers: [], maxDays: MAX_RENTAL_DAYS };
  const stock = await rentalStock(db, config, now);
  return {
    offers: stock.map((s) => ({ country: s.country, count: s.count, pricePerDay: rentalDayPrice(s.perDay, terms) })),
    maxDays: MAX_RENTAL_DAYS,
  };
}
