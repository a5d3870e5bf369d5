import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { queryRows } from '../../db/client.ts';

export interface PaymentTotals {
  method: string;
  status: string;
  payments: number;
  /** Credits these payments gave (paid at some point), before anything was taken back. */
  creditsSold: number;
  creditsTakenBack: number;
}

/** Payments by method and status, with the credits they sold and what was taken back: for the metrics, read at each scrape. */
export async function paymentTotals(db: Executor): Promise<PaymentTotals[]> {
  const rows = await queryRows<{ method: string; status: string; payments: string | number; sold: string | number; back: string | number }>(
    db,
    sql`select method, status, count(*) as payments,
               coalesce(sum(credits) filter (where paid_at is not null), 0) as sold,
               coalesce(sum(credits_reversed), 0) as back
        from payments group by method, status`,
  );
  return rows.map((row) => ({
    method: row.method,
    status: row.status,
    payments: Number(row.payments),
    creditsSold: Number(row.sold),
    creditsTakenBack: Number(row.back),
  }));
}
