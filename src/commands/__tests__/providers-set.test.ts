import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { commandContextOf, runOtpbox } from '../../../test/support/cli.ts';
import { auditLog } from '../../db/schema/index.ts';
import { EXIT } from '../types.ts';

describe('otpbox providers set', () => {
  let t: TestApp;
  const otpbox = (...argv: string[]) => runOtpbox(commandContextOf(t), argv);
  const poolTerms = async () => {
    const listed = await otpbox('providers', 'list', '--json');
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as { name: string; priority: number; markupPercent: string; feeCredits: number }[];
    const pool = rows.find((row) => row.name === 'pool');
    return pool && { priority: pool.priority, markupPercent: pool.markupPercent, feeCredits: pool.feeCredits };
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { SANDBOX: 'off' } });
    // The first gateway creates the provider "pool": the one an operator of own numbers has no other way to price.
    expect((await otpbox('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'farm')).code).toBe(0);
  });
  afterAll(() => t?.close());

  it("changes the pool's markup, fee and priority, audited with the reason", async () => {
    const before = await poolTerms();
    const changed = await otpbox(
      'providers',
      'set',
      'pool',
      '--markup-percent',
      '30',
      '--fee',
      '2',
      '--priority',
      '7',
      '--reason',
      'pricing review',
    );
    expect(changed.stderr).toBe('');
    expect(changed.code).toBe(EXIT.ok);
    expect(changed.stdout).toContain('Provider "pool": priority 7, markup 30 %, fee 2 credits');
    expect(await poolTerms()).toEqual({ priority: 7, markupPercent: '30', feeCredits: 2 });

    const [entry] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'provider.update'));
    expect(entry?.actor).toBe('cli');
    expect(entry?.details).toMatchObject({
      name: 'pool',
      reason: 'pricing review',
      before: { priority: before?.priority, feeCredits: before?.feeCredits },
      after: { priority: 7, markupBasisPoints: 3000, feeCredits: 2 },
    });
  });

  it('refuses bad input with a clear message and changes nothing', async () => {
    const before = await poolTerms();
    const cases: [string[], number, RegExp][] = [
      [['providers', 'set', 'pool', '--fee', '1'], EXIT.usage, /--reason is required/],
      [['providers', 'set', 'pool', '--fee', '1', '--reason', 'no'], EXIT.usage, /--reason must be 3 to 500 characters/],
      [['providers', 'set', 'pool', '--reason', 'nothing said'], EXIT.usage, /say what to change/],
      [['providers', 'set', 'pool', '--markup-percent', 'a lot', '--reason', 'typo'], EXIT.usage, /the markup must be a percentage/],
      [['providers', 'set', 'pool', '--fee', '1.5', '--reason', 'typo'], EXIT.usage, /--fee must be a whole number/],
      [['providers', 'set', '--fee', '1', '--reason', 'typo'], EXIT.usage, /name exactly one provider/],
      [['providers', 'set', 'nosuch', '--fee', '1', '--reason', 'typo'], EXIT.failure, /There is no provider named "nosuch"/],
    ];
    for (const [argv, code, message] of cases) {
      const refused = await otpbox(...argv);
      expect(refused.code, argv.join(' ')).toBe(code);
      expect(refused.stderr, argv.join(' ')).toMatch(message);
      expect(refused.stdout).toBe('');
    }
    expect(await poolTerms()).toEqual(before);
  });
});
