import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { pluralsOf } from './plural.ts';

describe('plurals', () => {
  it('follows the language’s own rules, not "1 or not 1"', () => {
    const polish = pluralsOf('pl');
    const file = { one: 'plik', few: 'pliki', many: 'plików', other: 'pliku' };
    expect([1, 2, 4, 5, 12, 22, 25, 1.5].map((count) => polish(count, file))).toEqual([
      'plik',
      'pliki',
      'pliki',
      'plików',
      'plików',
      'pliki',
      'plików',
      'pliku',
    ]);
    // A language without a singular form uses `other` for every count.
    expect(pluralsOf('ja')(1, { one: 'never', other: '件' })).toBe('件');
  });

  it('falls back to `other` when a language file leaves a category out', () => {
    expect(pluralsOf('pl')(3, { one: 'plik', other: 'pliku' })).toBe('pliku');
  });

  it('writes the English sentences with one and other', () => {
    expect([0, 1, 2].map((count) => en.nav.activeOrders(count))).toEqual(['(0 active orders)', '(1 active order)', '(2 active orders)']);
    expect(en.common.credits('1', 1)).toBe('1 credit');
    expect(en.common.credits('1.5', 1.5)).toBe('1.5 credits');
    expect(en.account.signedOutOthers(1)).toBe('1 session signed out.');
  });
});
