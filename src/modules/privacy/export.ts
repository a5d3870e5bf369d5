import { type SQL, sql } from 'drizzle-orm';
import { queryRows } from '../../db/client.ts';
import { DomainError } from '../../lib/errors.ts';
import type { Ctx } from '../context.ts';
import { type AccountKey, readAccountKey, type SealedField } from '../keyring/index.ts';
import { DATA_MAP, type TableEntry } from './data-map.ts';
import { ownedRows, ownedTables } from './owner-paths.ts';
import { retentionWords } from './policy-words.ts';
import { actorForCustomer } from './staff-ref.ts';

/**
 * The customer's copy of everything held about their account (access and portability, P11): one JSON
 * document built by walking the data map — every table with an owner path, every row of it that
 * belongs to the account, every column the map does not withhold. No list of tables is written here,
 * so a table added to the map (with its owner path) is exported without touching this file.
 *
 * The document is produced in pieces (`chunks`), each table read in pages of PAGE_ROWS by its primary
 * key, so memory stays bounded however long the account's history is; nothing is capped. Values are
 * converted by the database, the same on both engines: timestamps as ISO 8601 (UTC), bigint and
 * numeric as strings, bytea as base64; JSON columns as they are.
 */

export const EXPORT_FORMAT = 'otpbox-export/1';
const PAGE_ROWS = 500;
/** json_build_object takes at most 100 arguments: 50 columns per object, merged afterwards. */
const COLUMNS_PER_OBJECT = 50;

export const EXPORT_ABOUT =
  'Everything this service holds about your account, one section per kind of record. Each section says what the records are for, ' +
  'on what legal basis, how long they are kept, and which fields are left out and why (secrets and hashes of them). ' +
  'Times are ISO 8601 in UTC, large whole numbers are strings, binary values are base64. ' +
  'Staff members appear as a pseudonymous reference (staff_…), the same one each time.';

export interface AccountExport {
  /** `otpbox-export-<date>.json` */
  filename: string;
  /** The document, in order; read it once. */
  chunks: AsyncIterable<string>;
}

interface Column {
  name: string;
  type: string;
}

interface TablePlan {
  table: string;
  entry: TableEntry;
  columns: Column[];
  primaryKey: string[];
}

/**
 * Plan the export of `accountId` and check that the account exists (NOT_FOUND otherwise), before any
 * of the document is produced: what can fail in the caller's words fails here.
 */
export async function exportAccountData(ctx: Ctx, input: { accountId: string; policyVersion: string }): Promise<AccountExport> {
  const [account] = await queryRows<{ id: string }>(ctx.db, sql`select id from accounts where id = ${input.accountId}`);
  if (!account) throw new DomainError('NOT_FOUND', 'No such account.');
  const plans = await planTables(ctx);
  const generatedAt = ctx.clock.now();
  const header = {
    format: EXPORT_FORMAT,
    generatedAt: generatedAt.toISOString(),
    accountId: input.accountId,
    policyVersion: input.policyVersion,
    about: EXPORT_ABOUT,
  };
  return {
    filename: `otpbox-export-${generatedAt.toISOString().slice(0, 10)}.json`,
    chunks: documentChunks(ctx, input.accountId, header, plans),
  };
}

async function* documentChunks(ctx: Ctx, accountId: string, header: Record<string, string>, plans: TablePlan[]): AsyncGenerator<string> {
  yield `${JSON.stringify(header).slice(0, -1)},"sections":{`;
  for (const [index, plan] of plans.entries()) {
    const about = {
      category: plan.entry.category,
      purpose: plan.entry.purpose,
      legalBasis: plan.entry.legalBasis,
      retention: `Kept ${retentionWords(plan.entry.retention, ctx.config, plan.table)}.`,
      withheld: withheldColumns(plan.entry),
    };
    yield `${index === 0 ? '' : ','}${JSON.stringify(plan.table)}:${JSON.stringify(about).slice(0, -1)},"rows":[`;
    let first = true;
    for await (const rows of tableRows(ctx, accountId, plan)) {
      const text = rows.map((row) => JSON.stringify(row)).join(',');
      yield first ? text : `,${text}`;
      first = false;
    }
    yield ']}';
  }
  yield '}}\n';
}

/** The rows of one table that belong to the account, a page at a time, in primary-key order. */
async function* tableRows(ctx: Ctx, accountId: string, plan: TablePlan): AsyncGenerator<Record<string, unknown>[]> {
  const table = sql.identifier(plan.table);
  const owned = ownedRows(plan.table, accountId) as SQL;
  const column = (name: string) => sql`${table}.${sql.identifier(name)}`;
  const objects: SQL[] = [];
  for (let start = 0; start < plan.columns.length; start += COLUMNS_PER_OBJECT) {
    const pairs = plan.columns
      .slice(start, start + COLUMNS_PER_OBJECT)
      .map((c) => sql`${c.name}::text, ${portableValue(column(c.name), c.type)}`);
    objects.push(sql`json_build_object(${sql.join(pairs, sql`, `)}) as ${sql.identifier(`part${objects.length}`)}`);
  }
  const staffColumns = Object.entries(plan.entry.columns)
    .filter(([, entry]) => entry.export === 'staff_ref')
    .map(([name]) => name);
  // Sealed columns (ADR 28) are exported opened with the account's key; erased (no key): null.
  const sealedColumns = Object.entries(plan.entry.columns)
    .filter(([, entry]) => entry.export === 'sealed')
    .map(([name]) => name);
  const payloadColumns = Object.entries(plan.entry.columns)
    .filter(([, entry]) => entry.export === 'sealed_sms_payload')
    .map(([name]) => name);
  const metadataColumns = Object.entries(plan.entry.columns)
    .filter(([, entry]) => entry.export === 'staff_ref_in_metadata')
    .map(([name]) => name);
  const key = sealedColumns.length + payloadColumns.length > 0 ? await readAccountKey(ctx, accountId) : undefined;
  const toRow = (raw: Record<string, unknown>) => {
    const row: Record<string, unknown> = {};
    for (let part = 0; part < objects.length; part++) {
      const value = raw[`part${part}`];
      Object.assign(row, typeof value === 'string' ? JSON.parse(value) : value);
    }
    for (const name of staffColumns) if (name in row) row[name] = actorForCustomer(ctx.keys, row[name], accountId);
    for (const name of metadataColumns) {
      const value = row[name];
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'staff' in value)
        row[name] = { ...value, staff: actorForCustomer(ctx.keys, (value as { staff: unknown }).staff, accountId) };
    }
    for (const name of sealedColumns) {
      const value = row[name];
      if (typeof value === 'string') row[name] = key ? key.open(`${plan.table}.${name}` as SealedField, String(row.id), value) : null;
    }
    for (const name of payloadColumns) row[name] = openedSmsPayload(key, row[name]);
    return row;
  };

  // A table without a primary key cannot be read in pages: it is read whole, never cut short.
  if (plan.primaryKey.length === 0) {
    const order = sql.join(
      plan.columns.map((c) => sql`${column(c.name)}`),
      sql`, `,
    );
    yield (
      await queryRows<Record<string, unknown>>(
        ctx.db,
        sql`select ${sql.join(objects, sql`, `)} from ${table} where ${owned} order by ${order}`,
      )
    ).map(toRow);
    return;
  }
  const keys = plan.primaryKey.map((name) => column(name));
  const keyTuple = sql`(${sql.join(keys, sql`, `)})`;
  const keyText = plan.primaryKey.map((name, i) => sql`${column(name)}::text as ${sql.identifier(`key${i}`)}`);
  let after: string[] | undefined;
  for (;;) {
    const from = after
      ? sql` and ${keyTuple} > (${sql.join(
          after.map((value) => sql`${value}`),
          sql`, `,
        )})`
      : sql``;
    const page = await queryRows<Record<string, unknown>>(
      ctx.db,
      sql`select ${sql.join([...objects, ...keyText], sql`, `)} from ${table} where ${owned}${from} order by ${sql.join(keys, sql`, `)} limit ${PAGE_ROWS}`,
    );
    if (page.length > 0) yield page.map(toRow);
    if (page.length < PAGE_ROWS) return;
    const last = page[page.length - 1] as Record<string, unknown>;
    after = plan.primaryKey.map((_, i) => String(last[`key${i}`]));
  }
}

/** A column's value in a form JSON carries the same on both engines. */
function portableValue(column: SQL, type: string): SQL {
  switch (type) {
    case 'timestamp with time zone':
      return sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    case 'timestamp without time zone':
      return sql`to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS')`;
    case 'date':
      return sql`to_char(${column}, 'YYYY-MM-DD')`;
    case 'bigint':
    case 'numeric':
      return sql`${column}::text`;
    case 'bytea':
      return sql`translate(encode(${column}, 'base64'), E'\\n', '')`;
    default:
      return column;
  }
}

/** Every owned table of the map as the database holds it: its exported columns (in table order) and primary key. */
async function planTables(ctx: Ctx): Promise<TablePlan[]> {
  const columns = await queryRows<{ table_name: string; column_name: string; data_type: string }>(
    ctx.db,
    sql`select table_name, column_name, data_type from information_schema.columns
         where table_schema = current_schema() order by table_name, ordinal_position`,
  );
  const keys = await queryRows<{ table_name: string; column_name: string }>(
    ctx.db,
    sql`select tc.table_name, kcu.column_name
          from information_schema.table_constraints tc
          join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
         where tc.constraint_type = 'PRIMARY KEY' and tc.table_schema = current_schema()
         order by tc.table_name, kcu.ordinal_position`,
  );
  const plans: TablePlan[] = [];
  for (const table of ownedTables()) {
    const entry = DATA_MAP[table] as TableEntry;
    const live = columns.filter((c) => c.table_name === table);
    // A table of the map the database does not have yet (a migration to come) has nothing to export.
    if (live.length === 0) continue;
    plans.push({
      table,
      entry,
      columns: live
        .filter((c) => c.column_name in entry.columns && typeof entry.columns[c.column_name]?.export !== 'object')
        .map((c) => ({ name: c.column_name, type: c.data_type })),
      primaryKey: keys.filter((k) => k.table_name === table).map((k) => k.column_name),
    });
  }
  return plans;
}

/** The columns a table withholds from the export, each with the reason the map gives. */
function withheldColumns(entry: TableEntry): Record<string, string> {
  const withheld: Record<string, string> = {};
  for (const [name, column] of Object.entries(entry.columns))
    if (typeof column.export === 'object') withheld[name] = column.export.withheld;
  return withheld;
}

/** A webhook payload with the text of an `sms.received` opened (null once erased); any other as it is. */
function openedSmsPayload(key: AccountKey | undefined, payload: unknown): unknown {
  if (payload === null || typeof payload !== 'object') return payload;
  const { type, data } = payload as { type?: unknown; data?: Record<string, unknown> };
  if (type !== 'sms.received' || !data || typeof data.text !== 'string' || typeof data.smsId !== 'string') return payload;
  const text = key ? key.open('activation_sms.text', data.smsId, data.text) : null;
  return { ...payload, data: { ...data, text } };
}
