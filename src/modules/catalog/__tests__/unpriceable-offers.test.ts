import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../config.ts';
import { createLogger } from '../../../lib/logger.ts';
import type { ProviderPort } from '../../../provider-clients/port.ts';
import { decimalToMicros } from '../../../provider-clients/port.ts';
import { ProviderCatalog } from '../provider-catalog.ts';

/** A probe's finding: one absurd upstream price froze every provider's stock and answered 500. */
describe('an offer whose cost gives no price', () => {
  it('is refused when parsed: a decimal past 2^53 micro-units is not a number we can hold exactly', () => {
    expect(decimalToMicros('999999999999.999999')).toBeUndefined();
    expect(decimalToMicros('9007199255')).toBeUndefined();
    expect(decimalToMicros('9007199254')).toBe(9_007_199_254_000_000);
  });

  it('is skipped with a warning, and the provider’s other offers and the other providers stay on sale', () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'warn',
      version: 'test',
      destination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    const port = (name: string) => ({ name, kind: 'sms-activate' }) as unknown as ProviderPort;
    const catalog = new ProviderCatalog(testConfig({}), log)
      .register(port('odd'), { sells: true })
      .register(port('plain'), { sells: true });
    catalog.setOffers('odd', {
      currency: 'USD',
      offers: [
        { service: 'tg', country: 'GB', cost: 1e18, count: 10 },
        { service: 'tg', country: 'US', cost: 150_000, count: 3 },
      ],
    });
    catalog.setOffers('plain', { currency: 'USD', offers: [{ service: 'tg', country: 'GB', cost: 200_000, count: 4 }] });
    expect(catalog.offers('tg', 'GB').map((o) => [o.provider.name, o.price])).toEqual([['plain', 20]]);
    expect(catalog.offers('tg', 'US').map((o) => [o.provider.name, o.price])).toEqual([['odd', 15]]);
    expect(catalog.countryAvailability('GB', 'tg')).toEqual({ available: 4, fromPrice: 20 });
    expect(lines.join('')).toContain('offers with a cost that gives no price in credits');
  });
});
