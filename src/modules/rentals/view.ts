import { asc, count, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { rentalPeriods, rentalSms } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { type AccountKey, openFor, readAccountKey } from '../keyring/index.ts';
import { MAX_RENTAL_DAYS, type RentalSummaryView, type RentalView } from './schemas.ts';
import { maskNumber, type RentalRow } from './store.ts';

const DAY_MS = 86_400_000;

/** What an ephemeral SMS text is looked up by (SMS_STORAGE=ephemeral: shown live, then forgotten). */
export interface RentalTexts {
  text(key: string, smsId: string, nowMs: number): string | undefined;
}
/** The key of a rental SMS's text in the process's ephemeral texts. */
export const ephemeralKey = (rentalId: string, smsId: string) => `${rentalId}:${smsId}`;

export const latestEnd = (row: Pick<RentalRow, 'startedAt'>) => new Date(row.startedAt.getTime() + MAX_RENTAL_DAYS * DAY_MS);

/** The number in clear, masked, for ledger lines and the audit ("+14…0123"); "(erased)" once the key is gone. */
export async function labelOf(ctx: Ctx, row: RentalRow): Promise<string> {
  const number = await openFor(ctx, row.accountId, 'rentals.phone', row.id, row.phone);
  return number ? maskNumber(number) : '(erased)';
}

function summary(row: RentalRow, number: string | null, smsCount: number): RentalSummaryView {
  return {
    id: row.id,
    number,
    country: row.country,
    services: row.services,
    status: row.status,
    pricePerDay: row.dayPrice,
    autoRenew: row.autoRenew,
    startedAt: row.startedAt,
    endsAt: row.endsAt,
    latestEnd: latestEnd(row),
    endedAt: row.endedAt,
    endReason: row.endReason,
    smsCount,
  };
}

const open = (
  key: AccountKey | undefined,
  field: 'rentals.phone' | 'rental_sms.text' | 'rental_sms.sender',
  id: string,
  sealed: string | null,
) => (key && sealed !== null ? key.open(field, id, sealed) : null);

/** Rentals of one account as listed: opened, with how many SMS each received. */
export async function summariesOf(ctx: Pick<Ctx, 'db' | 'keys'>, accountId: string, rows: RentalRow[]): Promise<RentalSummaryView[]> {
  if (rows.length === 0) return [];
  const key = await readAccountKey(ctx, accountId);
  const counts = await ctx.db
    .select({ rentalId: rentalSms.rentalId, n: count() })
    .from(rentalSms)
    .where(
      inArray(
        rentalSms.rentalId,
        rows.map((r) => r.id),
      ),
    )
    .groupBy(rentalSms.rentalId);
  const byId = new Map(counts.map((c) => [c.rentalId, Number(c.n)]));
  return rows.map((row) => summary(row, open(key, 'rentals.phone', row.id, row.phone), byId.get(row.id) ?? 0));
}

/** One rental as its owner sees it: periods and every SMS, opened (ephemeral texts from `texts`). */
export async function viewOf(ctx: Pick<Ctx, 'db' | 'keys'>, row: RentalRow, texts?: RentalTexts, nowMs = Date.now()): Promise<RentalView> {
  const db: Executor = ctx.db;
  const [key, periods, sms] = await Promise.all([
    readAccountKey(ctx, row.accountId),
    db.select().from(rentalPeriods).where(eq(rentalPeriods.rentalId, row.id)).orderBy(asc(rentalPeriods.seq)),
    db.select().from(rentalSms).where(eq(rentalSms.rentalId, row.id)).orderBy(asc(rentalSms.receivedAt), asc(rentalSms.id)),
  ]);
  return {
    ...summary(row, open(key, 'rentals.phone', row.id, row.phone), sms.length),
    periods: periods.map((p) => ({
      seq: p.seq,
      startsAt: p.startsAt,
      endsAt: p.endsAt,
      days: p.days,
      price: p.price,
      status: p.status,
      charged: p.charged,
    })),
    sms: sms.map((m) => ({
      id: m.id,
      code: m.code,
      text: open(key, 'rental_sms.text', m.id, m.text) ?? texts?.text(ephemeralKey(row.id, m.id), m.id, nowMs) ?? null,
      sender: open(key, 'rental_sms.sender', m.id, m.sender),
      late: m.late,
      receivedAt: m.receivedAt,
    })),
  };
}
