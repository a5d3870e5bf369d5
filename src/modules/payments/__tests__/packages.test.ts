import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { otpboxOf } from '../../../../test/support/cli.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());
const otpbox = otpboxOf(() => t);

describe('otpbox packages add | list | disable, and GET /api/v1/packages', () => {
  it('adds packs and plans, lists them (text and JSON) and sells only the active ones, publicly', async () => {
    const pack = await otpbox('packages', 'add', '--code', 'starter', '--credits', '500', '--price', '499', '--currency', 'usd');
    expect(pack).toMatchObject({ code: 0 });
    expect(pack.stdout).toContain('500 credits for 4.99 USD');
    const plan = await otpbox(
      'packages',
      'add',
      '--code',
      'monthly',
      '--credits',
      '3000',
      '--price',
      '1999',
      '--currency',
      'EUR',
      '--interval',
      'month',
      '--store-product',
      'com.example.otp.monthly',
    );
    expect(plan.stdout).toContain('every month, store product com.example.otp.monthly');
    expect((await otpbox('packages', 'add', '--code', 'yen', '--credits', '100', '--price', '500', '--currency', 'JPY')).stdout).toContain(
      '500 JPY',
    );

    const listed = await otpbox('packages', 'list', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        code: 'starter',
        credits: 500,
        price: 499,
        currency: 'USD',
        interval: null,
        storeProduct: null,
        active: true,
      }),
      expect.objectContaining({ code: 'yen', price: 500, currency: 'JPY' }),
      expect.objectContaining({ code: 'monthly', credits: 3000, interval: 'month', storeProduct: 'com.example.otp.monthly' }),
    ]);
    expect((await otpbox('packages', 'disable', 'yen')).stdout).toContain('no longer on sale');
    expect((await otpbox('packages', 'disable', 'yen')).stdout).toContain('already disabled');
    const text = await otpbox('packages', 'list');
    expect(text.stdout).toMatch(/yen\s+100\s+500 JPY\s+-\s+-\s+disabled/);

    const response = await t.app.inject({ method: 'GET', url: '/api/v1/packages' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      packages: [
        { code: 'starter', credits: 500, price: 499, currency: 'USD', interval: null, storeProduct: null },
        { code: 'monthly', credits: 3000, price: 1999, currency: 'EUR', interval: 'month', storeProduct: 'com.example.otp.monthly' },
      ],
      // No processor is configured here: nothing can be bought on the web (yet).
      methods: [],
    });
  });

  it('refuses bad values as usage errors and a taken code or store product as conflicts', async () => {
    const base = ['packages', 'add', '--credits', '10', '--price', '100'];
    expect((await otpbox(...base, '--code', 'x1', '--currency', 'XXY')).code).toBe(64);
    expect((await otpbox(...base, '--code', 'x1', '--currency', 'USD', '--interval', 'week')).code).toBe(64);
    expect((await otpbox('packages', 'add', '--code', 'x1', '--credits', '0', '--price', '100', '--currency', 'USD')).code).toBe(64);
    expect((await otpbox('packages', 'add', '--code', 'x1', '--credits', '1.5', '--price', '100', '--currency', 'USD')).code).toBe(64);
    expect((await otpbox(...base, '--code', 'bad code', '--currency', 'USD')).code).toBe(64);
    const taken = await otpbox(...base, '--code', 'starter', '--currency', 'USD');
    expect(taken).toMatchObject({ code: 1 });
    expect(taken.stderr).toContain('CONFLICT');
    const product = await otpbox(...base, '--code', 'other', '--currency', 'USD', '--store-product', 'com.example.otp.monthly');
    expect(product.stderr).toContain('already buys the package monthly');
    expect((await otpbox('packages', 'disable', 'nope')).stderr).toContain('NOT_FOUND');
  });
});
