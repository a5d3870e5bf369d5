import { eq, type SQL, sql } from 'drizzle-orm';
import { queryRows } from '../../db/client.ts';
import { instanceSettings } from '../../db/schema/index.ts';
import { transaction } from '../../db/tx.ts';
import { type Ctx, withDb } from '../context.ts';
import { type AccountKey, accountKeyForSealing, readAccountKeys } from './account-key.ts';
import { emailLookupHash } from './email-hash.ts';
import type { SealedField } from './fields.ts';
import { SEAL_VERSION, SealedValueError } from './seal.ts';

/** The instance setting that records that every sealed column holds only sealed values. */
export const SEALED_SETTING = 'personal_data_sealed';

interface SealedTable {
  table: string;
  /** SQL giving each row's account id (rows where it is null belong to no account and stay as they are). */
  owner: SQL;
  from: SQL;
  columns: string[];
}

const TABLES: SealedTable[] = [
  { table: 'accounts', owner: sql`t.id`, from: sql`accounts t`, columns: ['email'] },
  { table: 'auth_tokens', owner: sql`t.account_id`, from: sql`auth_tokens t`, columns: ['email'] },
  { table: 'email_outbox', owner: sql`t.account_id`, from: sql`email_outbox t`, columns: ['to_address', 'body_text'] },
  { table: 'devices', owner: sql`t.account_id`, from: sql`devices t`, columns: ['platform', 'os_version', 'model', 'app_version'] },
  { table: 'activations', owner: sql`t.account_id`, from: sql`activations t`, columns: ['phone'] },
  {
    table: 'activation_sms',
    owner: sql`a.account_id`,
    from: sql`activation_sms t join activations a on a.id = t.activation_id`,
    columns: ['text'],
  },
  { table: 'webhook_endpoints', owner: sql`t.account_id`, from: sql`webhook_endpoints t`, columns: ['url'] },
];

const BATCH = 500;

/**
 * The data migration of ADR 28, run at start-up after the schema migrations (it needs SECRET_KEY, which
 * SQL migrations do not have): seals every plain value left in a sealed column and gives every address
 * its keyed hash, in one transaction, then records that it is done so later starts skip it. A value
 * that already opens under its account's key is left alone, so running it again changes nothing. On
 * a fresh database there is nothing to seal.
 */
export async function sealExistingData(ctx: Ctx): Promise<{ sealed: number; skipped: boolean }> {
  const [done] = await ctx.db.select().from(instanceSettings).where(eq(instanceSettings.key, SEALED_SETTING));
  if (done?.value === SEAL_VERSION) return { sealed: 0, skipped: true };
  return transaction(ctx.db, async (tx) => {
    const txCtx = withDb(ctx, tx);
    // A second instance starting at once waits here for the first to commit, then finds nothing to seal.
    await tx
      .insert(instanceSettings)
      .values({ key: SEALED_SETTING, value: SEAL_VERSION, updatedAt: ctx.clock.now() })
      .onConflictDoUpdate({ target: instanceSettings.key, set: { value: SEAL_VERSION, updatedAt: ctx.clock.now() } })
      .returning({ key: instanceSettings.key });
    let sealed = 0;
    for (const spec of TABLES) sealed += await sealTable(txCtx, spec);
    await tx.execute(sql`alter table accounts validate constraint accounts_email_has_hash`);
    return { sealed, skipped: false };
  });
}

async function sealTable(ctx: Ctx, spec: SealedTable): Promise<number> {
  let after = '';
  let sealed = 0;
  const columns = sql.join(
    spec.columns.map((column) => sql`t.${sql.identifier(column)}`),
    sql`, `,
  );
  for (;;) {
    const rows = await queryRows<Record<string, string | null> & { id: string; owner: string | null }>(
      ctx.db,
      sql`select t.id, ${spec.owner} as owner, ${columns} from ${spec.from} where t.id > ${after} order by t.id limit ${BATCH}`,
    );
    if (rows.length === 0) return sealed;
    after = rows[rows.length - 1]?.id as string;
    const keys = await readAccountKeys(
      ctx,
      rows.flatMap((row) => (row.owner ? [row.owner] : [])),
    );
    for (const row of rows) {
      if (!row.owner) continue;
      let key = keys.get(row.owner);
      const sets: SQL[] = [];
      for (const column of spec.columns) {
        const value = row[column];
        if (value === null || value === undefined) continue;
        const field = `${spec.table}.${column}` as SealedField;
        key ??= await accountKeyForSealing(ctx, row.owner);
        keys.set(row.owner, key);
        const plain = plainValue(key, field, row.id, value);
        if (plain === undefined) continue;
        sets.push(sql`${sql.identifier(column)} = ${key.seal(field, row.id, plain)}`);
        if (spec.table === 'accounts' && column === 'email') sets.push(sql`email_hash = ${emailLookupHash(ctx.keys, plain)}`);
        sealed++;
      }
      if (sets.length > 0)
        await ctx.db.execute(sql`update ${sql.identifier(spec.table)} set ${sql.join(sets, sql`, `)} where id = ${row.id}`);
    }
  }
}

/** The plain value to seal, or `undefined` when the value is already sealed for this row. */
function plainValue(key: AccountKey, field: SealedField, rowId: string, value: string): string | undefined {
  try {
    key.open(field, rowId, value);
    return undefined;
  } catch (error) {
    if (error instanceof SealedValueError) return value;
    throw error;
  }
}
