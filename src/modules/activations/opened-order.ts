import type { Ctx } from '../context.ts';
import { type AccountKey, type KeyCtx, readAccountKey } from '../keyring/index.ts';
import { getActivation } from './get-activation.ts';
import { type ActivationRow, type SmsRow, smsOfOne } from './view.ts';

declare const OPENED: unique symbol;

/** An order's row with its number opened: it cannot be opened again (`openOrder` takes a `StoredRow`). */
export type OpenedRow = ActivationRow & { readonly [OPENED]: true };

/** An order's row as the database holds it: its number sealed under the account's key (ADR 28). */
export type StoredRow = ActivationRow & { readonly [OPENED]?: never };

/**
 * An order and its messages with the number and the texts opened: the only thing the response
 * formatters (`toView`, the compatible protocols' answers) take. Made here only — by opening a stored
 * row, or from the number a provider just sold — so no answer shows a sealed value, and nothing opens
 * a value twice. The brand is a type only: at run time it is the plain `{ row, sms }` it always was.
 */
export interface OpenedOrder {
  readonly row: OpenedRow;
  readonly sms: readonly SmsRow[];
  readonly [OPENED]: true;
}

const opened = (row: ActivationRow, sms: readonly SmsRow[]) => ({ row, sms }) as OpenedOrder;

/** An order whose number was just bought (still in hand, plain) and which has no messages yet. */
export const boughtOrder = (row: ActivationRow): OpenedOrder => opened(row, []);

/** An order and its messages, opened with the account's key. Once the account is erased (its key destroyed) they read as null. */
export async function openOrder(ctx: KeyCtx, row: StoredRow, sms: readonly SmsRow[]): Promise<OpenedOrder> {
  const key = row.phone === null && sms.every((m) => m.text === null) ? undefined : await readAccountKey(ctx, row.accountId);
  return opened(
    openRow(key, row),
    sms.map((m) => openSms(key, row.accountId, m)),
  );
}

/** Several orders of one account, opened with one key (the lists). */
export async function openOrders(
  ctx: KeyCtx,
  accountId: string,
  rows: readonly StoredRow[],
  sms: Map<string, SmsRow[]>,
): Promise<OpenedOrder[]> {
  const key = rows.length === 0 ? undefined : await readAccountKey(ctx, accountId);
  return rows.map((row) =>
    opened(
      openRow(key, row),
      (sms.get(row.id) ?? []).map((m) => openSms(key, accountId, m)),
    ),
  );
}

/** A stored order with its messages, read and opened: what a verb that changed it answers. */
export async function readOpened(ctx: Ctx, row: StoredRow): Promise<OpenedOrder> {
  return openOrder(ctx, row, await smsOfOne(ctx.db, row.id));
}

/** One of the account's orders, opened (NOT_FOUND as `getActivation`). */
export async function getOpenedOrder(ctx: Ctx, accountId: string, id: string): Promise<OpenedOrder> {
  return readOpened(ctx, await getActivation(ctx.db, accountId, id));
}

const openRow = (key: AccountKey | undefined, row: ActivationRow): ActivationRow =>
  row.phone === null ? row : { ...row, phone: key ? key.open('activations.phone', row.id, row.phone) : null };

const openSms = (key: AccountKey | undefined, accountId: string, sms: SmsRow): SmsRow =>
  sms.text === null ? sms : { ...sms, text: key && key.accountId === accountId ? key.open('activation_sms.text', sms.id, sms.text) : null };
