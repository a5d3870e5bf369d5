import { asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { activationSms, type activations } from '../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { openFor } from '../keyring/index.ts';
import type { EphemeralTexts } from './ephemeral.ts';
import type { OpenedOrder } from './opened-order.ts';
import type { ActivationView } from './schemas.ts';
import { publicStatus, withholdsLateSms } from './states.ts';

export type ActivationRow = typeof activations.$inferSelect;
export type SmsRow = typeof activationSms.$inferSelect;

/** An order as the API shows it (`ActivationView`, the type of the `Activation` response schema): opened orders only. */
export function toView({ row, sms }: OpenedOrder, ephemeral: EphemeralTexts, nowMs: number): ActivationView {
  return {
    id: row.id,
    phone: row.phone ?? '',
    service: row.service,
    country: row.country,
    price: row.price,
    status: publicStatus(row.status),
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    cancellableAt: row.cancellableAt.toISOString(),
    receivedAt: row.receivedAt?.toISOString() ?? null,
    endedAt: row.endedAt?.toISOString() ?? null,
    sandbox: row.sandbox,
    sms: sms.map((m) => {
      // A late SMS after an unpaid end shows that it came, not what it said (rows stored before it was withheld too).
      const withheld = m.late && withholdsLateSms(row.status);
      return {
        id: m.id,
        code: withheld ? null : m.code,
        // Ephemeral storage: the text exists only in this process's memory until the order ends.
        text: withheld ? null : (m.text ?? ephemeral.text(row.id, m.id, nowMs) ?? null),
        receivedAt: m.receivedAt.toISOString(),
        late: m.late,
        withheld,
      };
    }),
  };
}

export async function smsOf(db: Executor, activationIds: string[]): Promise<Map<string, SmsRow[]>> {
  const byActivation = new Map<string, SmsRow[]>();
  if (activationIds.length === 0) return byActivation;
  const rows = await db
    .select()
    .from(activationSms)
    .where(inArray(activationSms.activationId, activationIds))
    .orderBy(asc(activationSms.receivedAt), asc(activationSms.id));
  for (const row of rows) byActivation.set(row.activationId, [...(byActivation.get(row.activationId) ?? []), row]);
  return byActivation;
}

export async function smsOfOne(db: Executor, activationId: string): Promise<SmsRow[]> {
  return db
    .select()
    .from(activationSms)
    .where(eq(activationSms.activationId, activationId))
    .orderBy(asc(activationSms.receivedAt), asc(activationSms.id));
}

/** The order's number, opened (for the masked form in ledger reasons). */
export const openPhone = (ctx: Ctx, row: ActivationRow): Promise<string | null> =>
  openFor(ctx, row.accountId, 'activations.phone', row.id, row.phone);

/** "+1…0123": enough for a customer to recognise the number in a statement, not more. */
export function maskPhone(phone: string | null): string {
  if (!phone) return 'number';
  const digits = phone.replace(/\D/g, '');
  return `+${digits.slice(0, digits.length > 11 ? 2 : 1)}…${digits.slice(-4)}`;
}
