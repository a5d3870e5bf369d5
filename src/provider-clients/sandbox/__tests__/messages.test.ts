import { describe, expect, it } from 'vitest';
import { extractCode } from '../../../modules/otp/index.ts';
import { SANDBOX_OFFERS, sandboxCode, sandboxSms } from '../catalog.ts';

const SOLD = [...new Set(SANDBOX_OFFERS.map((o) => o.service))];

describe('sandboxCode', () => {
  it('has the length each service really sends, in digits only', () => {
    const lengths: Record<string, number> = { tg: 5, wa: 6, go: 6, fb: 5, re: 7, ub: 4, kt: 4 };
    for (const [service, length] of Object.entries(lengths)) {
      for (let n = 0; n < 50; n++) expect(sandboxCode(service, n), service).toMatch(new RegExp(`^\\d{${length}}$`));
    }
  });

  it('is the same for the same arguments and varies with the sequence', () => {
    expect(sandboxCode('tg', 17)).toBe(sandboxCode('tg', 17));
    expect(sandboxCode('TG', 17)).toBe(sandboxCode('tg', 17));
    const codes = new Set(Array.from({ length: 1000 }, (_, n) => sandboxCode('wa', n)));
    expect(codes.size).toBeGreaterThan(990);
  });

  it('gives six digits for a service without its own template', () => {
    expect(sandboxCode('zz', 3)).toMatch(/^\d{6}$/);
  });

  it('refuses a sequence that is not a non-negative integer', () => {
    expect(() => sandboxCode('tg', -1)).toThrow(RangeError);
    expect(() => sandboxCode('tg', 0.5)).toThrow(RangeError);
  });
});

describe('sandboxSms', () => {
  it('shows the code the way the service does', () => {
    expect(sandboxSms('go', '123456')).toBe('G-123456 is your Google verification code.');
    expect(sandboxSms('wa', '123456')).toContain('123-456');
    expect(sandboxSms('ig', '123456')).toContain('123 456');
    expect(sandboxSms('tg', '12345')).toContain('Telegram code: 12345');
  });

  it('accepts the code as typed or as the service shows it', () => {
    expect(sandboxSms('go', 'G-123456')).toBe(sandboxSms('go', '123456'));
    expect(sandboxSms('wa', '123-456')).toBe(sandboxSms('wa', '123456'));
    expect(sandboxSms('fb', 'FB-12345')).toBe(sandboxSms('fb', '12345'));
  });

  it('writes in several languages', () => {
    const texts = SOLD.map((service) => sandboxSms(service, sandboxCode(service, 0))).join('\n');
    expect(texts).toMatch(/\p{Script=Cyrillic}/u);
    expect(texts).toMatch(/\p{Script=Han}/u);
    expect(texts).toMatch(/\p{Script=Hangul}/u);
    expect(texts).toMatch(/kode/i);
  });
});

describe('the code extractor on sandbox SMS', () => {
  it('reads the code a person would type from every sandbox service', () => {
    for (const service of [...SOLD, 'zz']) {
      for (let n = 0; n < 400; n++) {
        const code = sandboxCode(service, n);
        const text = sandboxSms(service, code);
        expect(extractCode(text), `${service} #${n}: ${JSON.stringify(text)}`).toBe(code);
      }
    }
  });

  it('reads the digits of the decorated forms', () => {
    expect(extractCode(sandboxSms('go', 'G-123456'))).toBe('123456');
    expect(extractCode(sandboxSms('wa', '123-456'))).toBe('123456');
    expect(extractCode(sandboxSms('bw', '987-654'))).toBe('987654');
  });
});
