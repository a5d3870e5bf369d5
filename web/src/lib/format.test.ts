import { afterEach, describe, expect, it, vi } from 'vitest';
import { localeFor } from '../i18n/index.ts';
import { formatClock, formatCredits, formatDuration, formatSigned, nationalNumber } from './format.ts';
import { parseBlocks } from './markdown.tsx';

describe('formatting', () => {
  it('writes credits, signed changes, countdowns and durations the way people read them', () => {
    expect(formatCredits(1)).toBe('1 credit');
    expect(formatCredits(1250)).toBe('1,250 credits');
    expect(formatSigned(500)).toBe('+500');
    expect(formatSigned(-17)).toBe('\u221217');
    expect(formatSigned(0)).toBe('0');
    expect(formatClock(1199.2)).toBe('20:00');
    expect(formatClock(65)).toBe('1:05');
    expect(formatClock(3723)).toBe('1:02:03');
    expect(formatClock(-4)).toBe('0:00');
    expect(formatDuration(120)).toBe('2 minutes');
    expect(formatDuration(3)).toBe('3 seconds');
    expect(formatDuration(90)).toBe('1 minute 30 seconds');
  });

  it('takes the country calling code off a number for forms that ask for it apart', () => {
    expect(nationalNumber('+6281234567890', '62')).toBe('81234567890');
    expect(nationalNumber('+12125550101', '1')).toBe('2125550101');
  });
});

describe('the policy Markdown', () => {
  it('reads headings, paragraphs and lists with indented continuation lines', () => {
    const blocks = parseBlocks(
      '# Privacy policy\n\nFirst line\nsecond line.\n\n## What we collect\n\n- **Account**: one\n  continued.\n- Orders: two.\n',
    );
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Privacy policy' },
      { kind: 'paragraph', text: 'First line second line.' },
      { kind: 'heading', level: 2, text: 'What we collect' },
      { kind: 'list', items: ['**Account**: one continued.', 'Orders: two.'] },
    ]);
  });
});

describe('dates', () => {
  const NativeDateTimeFormat = Intl.DateTimeFormat;
  afterEach(() => {
    Intl.DateTimeFormat = NativeDateTimeFormat;
    vi.resetModules();
  });

  it('are written in the app’s language whatever the browser’s language is', async () => {
    // A browser set to German: a formatter made without a locale would write "5. März 2026".
    Intl.DateTimeFormat = class extends NativeDateTimeFormat {
      constructor(locales?: Intl.LocalesArgument, options?: Intl.DateTimeFormatOptions) {
        super(locales ?? 'de-DE', options);
      }
    } as typeof Intl.DateTimeFormat;
    vi.resetModules();
    const { formatDateTime, formatDay } = await import('./format.ts');
    expect(formatDay('2026-03-05')).toBe('March 5, 2026');
    expect(formatDateTime('2026-03-05T12:00:00Z')).toMatch(/^Mar \d{1,2}, 2026, \d{1,2}:\d\d\s[AP]M$/);
  });

  it('take the reader’s regional variant of the app’s language, and only of that language', () => {
    expect(localeFor('en', ['de-DE', 'en-GB', 'en-US'])).toBe('en-GB');
    expect(localeFor('en', ['EN-au'])).toBe('EN-au');
    expect(localeFor('en', ['de-DE', 'fr'])).toBe('en');
    expect(localeFor('en', [])).toBe('en');
    expect(new Intl.DateTimeFormat(localeFor('en', ['en-GB']), { dateStyle: 'long' }).format(new Date(2026, 2, 5))).toBe('5 March 2026');
  });
});
