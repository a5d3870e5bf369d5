import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { emailOutbox } from '../db/schema/index.ts';
import { transaction } from '../db/tx.ts';
import { safeErrorMessage } from '../lib/database-errors.ts';
import type { SecretKeys } from '../lib/secrets.ts';
import { type MailTransport, openQueuedEmail } from '../modules/mail/index.ts';

export const MAX_EMAIL_ATTEMPTS = 8;
const BATCH = 20;
/** A claimed message is invisible to other instances this long; past it, it is tried again. */
const LEASE_MS = 5 * 60_000;

/**
 * Sends queued e-mail. A short transaction claims due rows (FOR UPDATE SKIP LOCKED, then a lease), so
 * instances never send the same message at once and no database connection waits on an SMTP server.
 * A failed attempt is retried with back-off (1 min, 2 min, … up to 1 h), then marked failed. A crash
 * between sending and recording means the message is sent again after the lease (at least once).
 */
export async function deliverPendingEmail(
  db: Db,
  keys: SecretKeys,
  transport: MailTransport,
  now: Date,
  log?: { warn(obj: object, msg: string): void },
): Promise<{ sent: number; failed: number; retrying: number }> {
  const counts = { sent: 0, failed: 0, retrying: 0 };
  const claimed = await transaction(db, async (tx) => {
    const due = await tx
      .select()
      .from(emailOutbox)
      .where(and(eq(emailOutbox.status, 'pending'), lte(emailOutbox.nextAttemptAt, now)))
      .orderBy(asc(emailOutbox.nextAttemptAt))
      .limit(BATCH)
      .for('update', { skipLocked: true });
    if (due.length > 0) {
      await tx
        .update(emailOutbox)
        .set({ nextAttemptAt: new Date(now.getTime() + LEASE_MS) })
        .where(
          inArray(
            emailOutbox.id,
            due.map((email) => email.id),
          ),
        );
    }
    return due;
  });

  for (const email of claimed) {
    try {
      const opened = await openQueuedEmail({ db, keys }, email);
      if (!opened) {
        // Erased since it was queued (ADR 28): there is no address left to send it to.
        await db
          .update(emailOutbox)
          .set({ status: 'failed', lastError: 'not sent: the account was erased' })
          .where(eq(emailOutbox.id, email.id));
        counts.failed++;
        continue;
      }
      await transport.send({ to: opened.to, subject: email.subject, text: opened.text });
      await db
        .update(emailOutbox)
        .set({ status: transport.kind === 'smtp' ? 'sent' : 'logged', sentAt: now, attempts: email.attempts + 1 })
        .where(eq(emailOutbox.id, email.id));
      counts.sent++;
    } catch (error) {
      const attempts = email.attempts + 1;
      const giveUp = attempts >= MAX_EMAIL_ATTEMPTS;
      // An SMTP refusal quotes the recipient's address: keep it out of the log and the stored error.
      const message = safeErrorMessage(error)
        .replace(/[^\s<>"'@]+@[^\s<>"']+/g, '<address>')
        .slice(0, 500);
      log?.warn({ emailId: email.id, attempts, err: message }, giveUp ? 'giving up on an e-mail' : 'e-mail delivery failed; will retry');
      await db
        .update(emailOutbox)
        .set({
          attempts,
          lastError: message,
          status: giveUp ? 'failed' : 'pending',
          nextAttemptAt: new Date(now.getTime() + Math.min(60_000 * 2 ** (attempts - 1), 3_600_000)),
        })
        .where(eq(emailOutbox.id, email.id));
      if (giveUp) counts.failed++;
      else counts.retrying++;
    }
  }
  return counts;
}
