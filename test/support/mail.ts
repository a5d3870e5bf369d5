import { desc } from 'drizzle-orm';
import type { Executor } from '../../src/db/client.ts';
import { emailOutbox } from '../../src/db/schema/index.ts';
import type { SecretKeys } from '../../src/lib/secrets.ts';
import { openQueuedEmail } from '../../src/modules/mail/index.ts';

export type QueuedMail = typeof emailOutbox.$inferSelect;

/**
 * The e-mail queued in the outbox, newest first, with the address and body opened (an account's mail
 * is sealed under its key, ADR 28); filtered by recipient, account or template.
 */
export async function queuedMail(
  t: { database: { db: Executor }; keys: SecretKeys },
  where: { to?: string; accountId?: string; template?: string } = {},
): Promise<QueuedMail[]> {
  const rows = await t.database.db.select().from(emailOutbox).orderBy(desc(emailOutbox.id));
  const opened: QueuedMail[] = [];
  for (const row of rows) {
    const mail = await openQueuedEmail({ db: t.database.db, keys: t.keys }, row);
    if (!mail) continue;
    const entry = { ...row, toAddress: mail.to, bodyText: mail.text };
    if (where.to !== undefined && entry.toAddress !== where.to) continue;
    if (where.accountId !== undefined && entry.accountId !== where.accountId) continue;
    if (where.template !== undefined && entry.template !== where.template) continue;
    opened.push(entry);
  }
  return opened;
}
