import { encode } from 'uqr';
import { describe, expect, it } from 'vitest';
import { modulesPath } from '../components/QrCode.tsx';
import { cancelDeadline, formatMoney, methodRefused, methodsFor, offeredMethods, resetPaymentsForTests } from './payments.ts';

describe('formatMoney', () => {
  it('turns minor units into an amount by the currency’s own digits, without rounding through a float', () => {
    expect(formatMoney(500, 'USD')).toBe('$5.00');
    expect(formatMoney(1999, 'usd')).toBe('$19.99');
    expect(formatMoney(7, 'EUR')).toBe('€0.07');
    expect(formatMoney(1500, 'JPY')).toBe('¥1,500');
    expect(formatMoney(12345, 'KWD')).toBe('KWD\u00a012.345');
    expect(formatMoney(-250, 'GBP')).toBe('-£2.50');
    // Past what a float holds exactly: every digit kept.
    expect(formatMoney(900719925474099, 'USD')).toBe('$9,007,199,254,740.99');
  });

  it('names the amount in minor units when the currency is not one Intl knows', () => {
    expect(formatMoney(500, 'X1')).toBe('500 X1');
  });
});

describe('the ways to pay', () => {
  const pack = { code: 'p', credits: 1, price: 1, currency: 'USD', interval: null, storeProduct: null } as const;
  const plan = { ...pack, interval: 'month' } as const;

  it('offers what the server names (both while it names none), less what it refused for a package’s currency this visit', () => {
    resetPaymentsForTests();
    expect(offeredMethods({ packages: [] })).toEqual(['card', 'bitcoin']);
    expect(offeredMethods({ packages: [], methods: ['bitcoin'] })).toEqual(['bitcoin']);
    methodRefused('bitcoin', 'usd');
    expect(methodsFor(pack, ['card', 'bitcoin'])).toEqual(['card']);
    expect(methodsFor({ ...pack, currency: 'EUR' }, ['card', 'bitcoin'])).toEqual(['card', 'bitcoin']);
    resetPaymentsForTests();
  });

  it('pays plans by card only', () => {
    expect(methodsFor(pack, ['card', 'bitcoin'])).toEqual(['card', 'bitcoin']);
    expect(methodsFor(plan, ['card', 'bitcoin'])).toEqual(['card']);
    expect(methodsFor(plan, ['bitcoin'])).toEqual([]);
  });

  it('puts the last moment to cancel a renewal 24 hours before the period ends (P15)', () => {
    expect(cancelDeadline('2030-03-31T00:30:00.000Z').toISOString()).toBe('2030-03-30T00:30:00.000Z');
  });
});

describe('the QR code path', () => {
  it('draws exactly the dark modules of the code', () => {
    const { data } = encode('bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq?amount=0.00020000', { ecc: 'M', border: 4 });
    const drawn = data.map((row) => row.map(() => false));
    for (const [, x, y, width] of modulesPath(data).matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
      for (let i = 0; i < Number(width); i += 1) {
        const row = drawn[Number(y)] as boolean[];
        expect(row[Number(x) + i]).toBe(false);
        row[Number(x) + i] = true;
      }
    }
    expect(drawn).toEqual(data);
    // The quiet zone: four light modules on every side.
    expect(data[0]?.every((dark) => !dark)).toBe(true);
    expect(data.every((row) => row.slice(0, 4).every((dark) => !dark))).toBe(true);
  });
});
