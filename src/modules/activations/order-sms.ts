import { createHash, createHmac } from 'node:crypto';
import { getTableColumns } from 'drizzle-orm';
import { rowMapper } from '../../db/client.ts';
import { activations } from '../../db/schema/index.ts';
import { type Fragment, params, raw, sql, type Values } from '../../db/statement.ts';
import { newId } from '../../lib/ids.ts';
import type { Ctx } from '../context.ts';
import { AccountKeyDestroyedError, accountKeyForSealing } from '../keyring/index.ts';
import { extractCode } from '../otp/index.ts';
import { isOpenWithNumber, withholdsLateSms } from './states.ts';
import type { ActivationRow } from './view.ts';

/** An SMS that arrived for an order (see `receiveSms`). */
export interface IncomingSms {
  /** Our order id (sandbox), or the provider and its activation id (pushes and polls). */
  target: { activationId: string } | { provider: string; upstreamId: string };
  text: string | null;
  /** The provider's own reading of the code, used when the text gives none. */
  providerCode?: string | null;
  receivedAt?: Date;
  /** The provider's message id when it has one. */
  messageId?: string;
  source: 'sandbox' | 'provider_push' | 'provider_poll' | 'gateway';
}

/** An SMS for a locked order, as its `activation_sms` row will hold it, and its text as received. */
export interface OrderSms {
  id: string;
  activationId: string;
  /** One message however often it arrives: `code:…`, else `msg:…` (the provider's id), else `sha:…` (the text). */
  dedupeKey: string;
  code: string | null;
  /** Sealed under the account's key; null when not stored (SMS_STORAGE=ephemeral, no text, an erased account). */
  text: string | null;
  /** Arrived after the order ended: never charged; withheld (no code, no text) after an unpaid end. */
  late: boolean;
  receivedAt: Date;
  source: IncomingSms['source'];
  /** The text as it arrived, kept in memory only under SMS_STORAGE=ephemeral (never stored). */
  plaintext: string | null;
}

/**
 * The row an SMS for the locked order `row` will be stored as: its code extracted, its text sealed
 * under the account's key (ADR 28; after erasure there is no key, and no text is kept).
 */
export async function orderSms(ctx: Ctx, row: ActivationRow, sms: Omit<IncomingSms, 'target'>, now: Date): Promise<OrderSms> {
  const code = (sms.text ? extractCode(sms.text) : null) ?? normaliseProviderCode(sms.providerCode);
  // One code is one message, however it reached us: pushed with its text, polled with only the code
  // (SMS-Activate V1), or both. A message without a code is known by its id, or else by its text.
  const key = code ? `code:${code}` : sms.messageId ? `msg:${sms.messageId}` : `sha:${sha(sms.text ?? '')}`;
  const id = newId('sms', now.getTime());
  const receivedAt = sms.receivedAt && sms.receivedAt <= now ? sms.receivedAt : now;
  // After an unpaid end, only the fact that an SMS came is kept. Its key names the code, so it is kept
  // as an HMAC under a key derived from SECRET_KEY: a plain hash of a 5-digit code is undone in a second.
  if (withholdsLateSms(row.status))
    return {
      id,
      activationId: row.id,
      dedupeKey: `wh:${createHmac('sha256', ctx.keys.derive('withheld-sms')).update(key).digest('hex').slice(0, 32)}`,
      code: null,
      text: null,
      late: true,
      receivedAt,
      source: sms.source,
      plaintext: null,
    };
  const ephemeral = ctx.config.smsStorage === 'ephemeral';
  return {
    id,
    activationId: row.id,
    dedupeKey: key,
    code,
    text: ephemeral || sms.text === null ? null : await sealedText(ctx, row, id, sms.text),
    late: !isOpenWithNumber(row.status),
    receivedAt,
    source: sms.source,
    plaintext: ephemeral ? sms.text : null,
  };
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

const s = params(
  {
    id: 'text',
    activation: 'text',
    dedupeKey: 'text',
    code: 'text',
    text: 'text',
    late: 'boolean',
    receivedAt: 'timestamptz',
    source: 'text',
  },
  'sms',
);
export type OrderSmsParam = (typeof s)[keyof typeof s]['name'];

/**
 * The CTE `order_sms` of a statement that stores an SMS for an order another part of it found: the
 * row inserted when an order is named and `gate` holds, once per dedupe key (a repeat inserts
 * nothing). It answers the id of a row inserted.
 */
export function orderSmsInsert<G extends string>(gate: Fragment<G>): Fragment<OrderSmsParam | G> {
  return sql`order_sms as (
    insert into activation_sms (id, activation_id, dedupe_key, code, text, late, received_at, source)
    select ${s.id}, ${s.activation}, ${s.dedupeKey}, ${s.code}, ${s.text}, ${s.late}, ${s.receivedAt}, ${s.source}
    where ${s.activation} is not null and ${gate}
    on conflict do nothing
    returning id
  )`;
}

/** The values of `orderSmsInsert`'s parameters; without an SMS, nothing is inserted. */
export function orderSmsValues(sms: OrderSms | undefined): Values<OrderSmsParam> {
  return {
    'sms.id': sms?.id ?? null,
    'sms.activation': sms?.activationId ?? null,
    'sms.dedupeKey': sms?.dedupeKey ?? null,
    'sms.code': sms?.code ?? null,
    'sms.text': sms?.text ?? null,
    'sms.late': sms?.late ?? null,
    'sms.receivedAt': sms?.receivedAt.toISOString() ?? null,
    'sms.source': sms?.source ?? null,
  };
}

const COLUMN_NAMES = Object.values(getTableColumns(activations)).map((column) => column.name);

/**
 * A select list of the order's columns from `alias`, each as `<prefix><column>`, for a statement that
 * returns an order beside other rows; `orderFromRow(prefix)` reads them back.
 */
export const orderColumns = (alias: string, prefix: string): Fragment<never> =>
  raw(COLUMN_NAMES.map((name) => `${alias}."${name}" as "${prefix}${name}"`).join(',\n         '));

/** The order in a row of a statement that selected `orderColumns(…, prefix)`; undefined when it found none. */
export function orderFromRow(prefix: string): (row: Record<string, unknown>) => ActivationRow | undefined {
  const map = rowMapper(activations, prefix);
  return (row) => (row[`${prefix}id`] === null || row[`${prefix}id`] === undefined ? undefined : map(row));
}

async function sealedText(ctx: Ctx, row: ActivationRow, smsId: string, text: string): Promise<string | null> {
  try {
    return (await accountKeyForSealing(ctx, row.accountId)).seal('activation_sms.text', smsId, text);
  } catch (error) {
    if (error instanceof AccountKeyDestroyedError) return null;
    throw error;
  }
}

function normaliseProviderCode(code: string | null | undefined): string | null {
  if (!code) return null;
  const compact = code.replace(/[\s-]/g, '');
  return /^[0-9A-Za-z]{3,12}$/.test(compact) ? compact : null;
}
