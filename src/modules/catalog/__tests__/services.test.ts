import type { SimpleIcon } from 'simple-icons';
import * as simpleIcons from 'simple-icons';
import { describe, expect, it } from 'vitest';
import { fivesimServices } from '../../../provider-clients/fivesim/names.ts';
import { SERVICES, searchServices, serviceByCode, serviceIconSvg } from '../services.ts';

const isIcon = (value: unknown): value is SimpleIcon => typeof value === 'object' && value !== null && 'slug' in value && 'svg' in value;
const iconsBySlug = new Map(
  Object.values(simpleIcons)
    .filter(isIcon)
    .map((icon) => [icon.slug, icon]),
);
const codes = (services: readonly { code: string }[]) => services.map((service) => service.code);

describe('SERVICES', () => {
  it('has unique codes of 2–4 lower-case letters or digits', () => {
    const all = codes(SERVICES);
    expect(new Set(all).size).toBe(all.length);
    for (const code of all) expect(code).toMatch(/^[a-z0-9]{2,4}$/);
    expect(all.length).toBeGreaterThanOrEqual(40);
  });

  it('names the codes otpbox is built around as SMS-Activate does', () => {
    const expected: Record<string, RegExp> = {
      tg: /^Telegram$/,
      wa: /^WhatsApp$/,
      go: /^Google$/,
      fb: /^Facebook$/,
      ig: /^Instagram$/,
      ds: /^Discord$/,
      tw: /Twitter/,
      am: /^Amazon$/,
      ya: /^Yandex$/,
      vi: /^Viber$/,
      vk: /^VKontakte$/,
      ok: /^Odnoklassniki$/,
      ot: /^Any other$/,
    };
    for (const [code, name] of Object.entries(expected)) expect(serviceByCode(code)?.name, code).toMatch(name);
    expect(serviceByCode('go')?.aliases).toEqual(expect.arrayContaining(['youtube', 'gmail']));
    expect(serviceByCode('ig')?.aliases).toContain('threads');
  });

  it('knows every service code the 5sim adapter maps to', () => {
    for (const [product, code] of fivesimServices) expect(serviceByCode(code), `${product} → ${code}`).toBeDefined();
  });

  it('uses only icons that exist in simple-icons, with their colour', () => {
    for (const service of SERVICES) {
      if (service.icon === null) {
        expect(service.color, service.code).toBeNull();
        continue;
      }
      const icon = iconsBySlug.get(service.icon);
      expect(icon, `${service.code}: simple-icons has no "${service.icon}"`).toBeDefined();
      expect(service.color, service.code).toBe(icon?.hex);
      expect(service.color).toMatch(/^[0-9A-F]{6}$/);
    }
  });

  it('serves each icon as the SVG simple-icons ships, and null where there is none', () => {
    for (const service of SERVICES) {
      const svg = serviceIconSvg(service.code);
      if (service.icon === null) expect(svg, service.code).toBeNull();
      else expect(svg, service.code).toBe(iconsBySlug.get(service.icon)?.svg);
    }
    expect(serviceIconSvg('TG')).toMatch(/^<svg [^>]*viewBox="0 0 24 24"[^>]*><title>Telegram<\/title><path d="/);
    expect(serviceIconSvg('zz')).toBeNull();
  });

  it('looks codes up whatever their case or surrounding spaces', () => {
    expect(serviceByCode('TG')?.name).toBe('Telegram');
    expect(serviceByCode(' wa ')?.name).toBe('WhatsApp');
    expect(serviceByCode('AON')?.name).toBe('Binance');
    expect(serviceByCode('zz')).toBeUndefined();
  });
});

describe('searchServices', () => {
  it('returns every service, most used first, for an empty query', () => {
    expect(codes(searchServices(''))).toEqual(codes(SERVICES));
    expect(codes(searchServices('   '))).toEqual(codes(SERVICES));
    expect(codes(SERVICES).slice(0, 3)).toEqual(['tg', 'wa', 'go']);
  });

  it('finds services by alias', () => {
    expect(codes(searchServices('youtube'))[0]).toBe('go');
    expect(codes(searchServices('GMAIL'))[0]).toBe('go');
    expect(codes(searchServices('twitter'))[0]).toBe('tw');
    expect(codes(searchServices('chatgpt'))).toEqual(['dr']);
    expect(codes(searchServices('threads'))).toEqual(['ig']);
    expect(codes(searchServices('hotmail'))).toEqual(['mm']);
  });

  it('ignores case, accents, spaces and punctuation, in the query and in the data', () => {
    expect(codes(searchServices('Télégram'))[0]).toBe('tg');
    expect(codes(searchServices('WHATS APP'))[0]).toBe('wa');
    expect(codes(searchServices('whats-app'))[0]).toBe('wa');
    expect(codes(searchServices('ЯНДЕКС'))).toEqual(['ya']);
    expect(codes(searchServices('mailru'))).toEqual(['ma']);
    expect(codes(searchServices('mail.ru'))).toEqual(['ma']);
    expect(codes(searchServices('Äirbnb'))).toEqual(['uk']);
  });

  it('finds services by the abbreviations people use, never by our opaque provider codes', () => {
    expect(codes(searchServices('tg'))).toEqual(['tg']);
    expect(codes(searchServices('FB'))).toEqual(['fb']);
    // "uk" is Airbnb's SMS-Activate code: someone typing it means the United Kingdom, not Airbnb.
    expect(searchServices('uk')).toEqual([]);
    expect(searchServices('aon')).toEqual([]);
  });

  it('matches names and aliases at their start or at a word, never inside a word', () => {
    expect(codes(searchServices('mail'))).toEqual(['ma', 'mb', 'dp']);
    expect(codes(searchServices('gram'))).toEqual([]);
    expect(codes(searchServices('book'))).toEqual([]);
    expect(codes(searchServices('app'))).toEqual(['wx']);
    expect(codes(searchServices('prime vid'))).toEqual(['am']);
    expect(codes(searchServices('video'))).toEqual(['am']);
  });

  it('ranks an exact name, then names that start with the query, then later words; ties by popularity', () => {
    expect(codes(searchServices('go'))).toEqual(['go', 'ni', 'ya']);
    expect(codes(searchServices('x'))[0]).toBe('tw');
    expect(codes(searchServices('line'))[0]).toBe('me');
    expect(codes(searchServices('te'))).toEqual(['tg', 'qq']);
  });

  it('finds nothing for a word no service has', () => {
    expect(searchServices('qwertyuiop')).toEqual([]);
  });
});
