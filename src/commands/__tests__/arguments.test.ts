import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../../test/support/app.ts';
import { runOtpbox } from '../../../test/support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { testConfig } from '../../config.ts';
import { accounts } from '../../db/schema/index.ts';
import { ManualClock } from '../../lib/clock.ts';
import { secretKeys } from '../../lib/secrets.ts';
import { createStaffAccount } from '../../modules/accounts/index.ts';
import { emailLookupHash } from '../../modules/keyring/index.ts';
import { commandCtx } from '../admin.ts';
import { executeCommand } from '../execute.ts';
import type { CommandContext } from '../types.ts';

let database: TestDatabase;
let ctx: CommandContext;
const STAFF = 'support@example.com';

beforeAll(async () => {
  database = await createTestDatabase();
  ctx = {
    config: testConfig(),
    database,
    clock: new ManualClock('2026-06-01T12:00:00.000Z'),
    log: pino({ level: 'silent' }),
    keys: secretKeys(TEST_SECRET),
    via: 'direct',
  };
  await createStaffAccount(commandCtx(ctx), { email: STAFF, password: 'correct horse battery staple 42', role: 'support' });
});
afterAll(() => database?.destroy());

/** Runs a command as the admin channel would relay it: its arguments arrive as JSON, where a NUL can hide. */
const run = (argv: string[], env: Record<string, string> = {}, stdin = '') => runOtpbox(ctx, argv, { env, stdin });

describe('command arguments the database cannot store', () => {
  it('are refused as bad usage, naming the option, before anything is written', async () => {
    const suspended = await run(['admin', 'suspend', '--email', STAFF, '--reason', 'abuse\u0000MARKER']);
    expect(suspended.code).toBe(64);
    expect(suspended.stderr).toContain('--reason must not contain NUL (\\u0000) or unpaired surrogate characters');
    expect(suspended.stderr).not.toContain('MARKER');
    const [row] = await database.db
      .select({ status: accounts.status })
      .from(accounts)
      .where(eq(accounts.emailHash, emailLookupHash(secretKeys(TEST_SECRET), STAFF)));
    expect(row?.status).toBe('active');

    const created = await run(['admin', 'create', '--email', 'new\u0000@example.com'], {
      OTPBOX_PASSWORD: 'correct horse battery staple 42',
    });
    expect(created.code).toBe(64);
    expect(created.stderr).toContain('--email must not contain NUL');

    const removed = await run(['providers', 'remove', 'alpha\ud800']);
    expect(removed.code).toBe(64);
    expect(removed.stderr).toContain('Arguments must not contain NUL');
  });

  it('include a password read from standard input or the environment', async () => {
    for (const [env, stdin] of [
      [{ OTPBOX_PASSWORD: 'correct horse\u0000 battery 42' }, ''],
      [{}, 'correct horse\u0000 battery 42\n'],
    ] as const) {
      const created = await run(['admin', 'create', '--email', 'second@example.com'], env, stdin);
      expect(created.code).toBe(64);
      expect(created.stderr).toContain('The password must not contain NUL');
    }
    expect(
      await database.db
        .select()
        .from(accounts)
        .where(eq(accounts.emailHash, emailLookupHash(secretKeys(TEST_SECRET), 'second@example.com'))),
    ).toEqual([]);
  });
});

describe('a context without a database', () => {
  it('runs a pure command, and refuses a database command instead of letting it fail on a missing field', async () => {
    const pure = { config: ctx.config, clock: ctx.clock, log: ctx.log, via: 'direct' as const };
    let stdout = '';
    let stderr = '';
    const io = (stdin: string) => ({
      stdin: (async function* () {
        yield stdin;
      })(),
      stdout: (text: string) => {
        stdout += text;
      },
      stderr: (text: string) => {
        stderr += text;
      },
      env: {},
    });
    expect(await executeCommand(['otp-extract'], pure, io('{"text":"Your code is 123456"}\n'))).toBe(0);
    expect(stdout).toBe('{"code":"123456"}\n');
    expect(await executeCommand(['ledger', 'verify'], pure, io(''))).toBe(1);
    expect(stderr).toContain('ledger verify needs the database, and none was opened');
  });
});
