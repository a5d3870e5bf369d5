import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { testConfig } from '../../config.ts';
import { emailOutbox } from '../../db/schema/index.ts';
import { ManualClock } from '../../lib/clock.ts';
import { secretKeys } from '../../lib/secrets.ts';
import { enqueueEmail, logTransport, type MailTransport, smtpTransport } from '../../modules/mail/index.ts';
import { deliverPendingEmail, MAX_EMAIL_ATTEMPTS } from '../email-delivery.ts';

let database: TestDatabase;
const clock = new ManualClock('2026-12-01T00:00:00Z');
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());
beforeEach(async () => {
  await database.db.delete(emailOutbox);
});

const keys = secretKeys('x'.repeat(40));
const ctx = () => ({ db: database.db, clock, config: testConfig(), keys, log: pino({ level: 'silent' }) });
const queue = (to = 'person@example.com') => enqueueEmail(ctx(), { to, subject: 'Hello', text: 'Body with a link', template: 'test' });

describe('e-mail delivery', () => {
  it('writes mail to the log when no SMTP server is configured, and marks it logged', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    await queue();
    expect(await deliverPendingEmail(database.db, keys, logTransport(log), clock.now())).toEqual({ sent: 1, failed: 0, retrying: 0 });
    expect(lines.join('')).toContain('Body with a link');
    const [row] = await database.db.select().from(emailOutbox);
    expect(row).toMatchObject({ status: 'logged', attempts: 1 });
    expect(await deliverPendingEmail(database.db, keys, logTransport(log), clock.now())).toEqual({ sent: 0, failed: 0, retrying: 0 });
  });

  it('sends through SMTP (nodemailer) to a real server', async () => {
    const received: string[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, done) {
        let data = '';
        stream.on('data', (chunk) => {
          data += chunk;
        });
        stream.on('end', () => {
          received.push(data);
          done();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    const transport = smtpTransport(`smtp://127.0.0.1:${port}`, 'otpbox <no-reply@otp.example>');
    try {
      await queue('customer@example.com');
      expect((await deliverPendingEmail(database.db, keys, transport, clock.now())).sent).toBe(1);
      expect(received).toHaveLength(1);
      expect(received[0]).toContain('To: customer@example.com');
      expect(received[0]).toContain('Body with a link');
      const [row] = await database.db.select().from(emailOutbox);
      expect(row?.status).toBe('sent');
    } finally {
      transport.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('retries with back-off and gives up after the last attempt', async () => {
    const failing: MailTransport = { kind: 'smtp', send: async () => Promise.reject(new Error('connection refused')), close: () => {} };
    await queue();
    const now = new Date(clock.now());
    expect(await deliverPendingEmail(database.db, keys, failing, now)).toEqual({ sent: 0, failed: 0, retrying: 1 });
    // Not due again until its back-off has passed.
    expect((await deliverPendingEmail(database.db, keys, failing, now)).retrying).toBe(0);
    let at = now.getTime();
    for (let attempt = 2; attempt <= MAX_EMAIL_ATTEMPTS; attempt++) {
      at += 3_600_000;
      await deliverPendingEmail(database.db, keys, failing, new Date(at));
    }
    const [row] = await database.db.select().from(emailOutbox);
    expect(row).toMatchObject({ status: 'failed', attempts: MAX_EMAIL_ATTEMPTS, lastError: 'connection refused' });
  });

  it("keeps the recipient's address out of a refusal it stores", async () => {
    const refusing: MailTransport = {
      kind: 'smtp',
      send: async () =>
        Promise.reject(new Error("Can't send mail - all recipients were rejected: 550 5.1.1 <jo.doe+x@example.com>: unknown user")),
      close: () => {},
    };
    await database.db.delete(emailOutbox);
    await queue('jo.doe+x@example.com');
    await deliverPendingEmail(database.db, keys, refusing, new Date(clock.now()));
    const [row] = await database.db.select().from(emailOutbox);
    expect(row?.lastError).toBe("Can't send mail - all recipients were rejected: 550 5.1.1 <<address>>: unknown user");
  });

  it('never hands one message to two deliveries at once', async () => {
    for (let i = 0; i < 5; i++) await queue(`p${i}@example.com`);
    const sent: string[] = [];
    const slow: MailTransport = {
      kind: 'smtp',
      send: async (message) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        sent.push(message.to);
      },
      close: () => {},
    };
    await Promise.all([
      deliverPendingEmail(database.db, keys, slow, clock.now()),
      deliverPendingEmail(database.db, keys, slow, clock.now()),
    ]);
    expect(sent.sort()).toEqual(['p0@example.com', 'p1@example.com', 'p2@example.com', 'p3@example.com', 'p4@example.com']);
    const rows = await database.db.select().from(emailOutbox).where(eq(emailOutbox.status, 'sent'));
    expect(rows).toHaveLength(5);
  });
});
