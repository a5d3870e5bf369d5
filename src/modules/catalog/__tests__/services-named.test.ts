import { describe, expect, it } from 'vitest';
import { servicesNamedIn } from '../services.ts';

describe('servicesNamedIn', () => {
  it('finds the brands and aliases a message or its sender names, as whole words in any case', () => {
    expect(servicesNamedIn('Telegram', 'Telegram code: 53127. Do not give this code to anyone')).toEqual(['tg']);
    expect(servicesNamedIn('', 'Your WHATSAPP code 321-654')).toEqual(['wa']);
    expect(servicesNamedIn('', 'G-424242 is your Google verification code. YouTube too')).toEqual(['go']);
    expect(servicesNamedIn('VERIFY', 'Your Battle.net code is 1234')).toEqual(['bz']);
    expect(servicesNamedIn('', 'Ваш код ВКонтакте: 1234')).toEqual(['vk']);
  });

  it('does not take short codes, parts of words or the catch-all service for a name', () => {
    expect(servicesNamedIn('', 'tg wa fb x: 1234')).toEqual([]);
    expect(servicesNamedIn('', 'Your code is 1234, anyone asking for it is a scammer')).toEqual([]);
    expect(servicesNamedIn('', 'telegramming is fun 1234')).toEqual([]);
  });
});
