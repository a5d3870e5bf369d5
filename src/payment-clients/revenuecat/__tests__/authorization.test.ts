import { describe, expect, it } from 'vitest';
import { verifyRevenueCatAuthorization } from '../authorization.ts';

const EXPECTED = 'Bearer rc_9f86d081884c7d659a2feaa0c55ad015';

describe('verifyRevenueCatAuthorization', () => {
  it('accepts exactly the configured header value', () => {
    expect(verifyRevenueCatAuthorization(EXPECTED, EXPECTED)).toBe(true);
  });

  it('refuses anything else', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      EXPECTED.toLowerCase(),
      `${EXPECTED} `,
      EXPECTED.slice(7),
      [EXPECTED],
      [EXPECTED, EXPECTED],
    ]) {
      expect(verifyRevenueCatAuthorization(header, EXPECTED), JSON.stringify(header)).toBe(false);
    }
  });

  it('never matches while REVENUECAT_WEBHOOK_AUTH is unset', () => {
    expect(verifyRevenueCatAuthorization('', '')).toBe(false);
    expect(verifyRevenueCatAuthorization('anything', '')).toBe(false);
  });
});
