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

  it('takes short brand names in capitals, as brands write them, and Cyrillic spellings', () => {
    expect(servicesNamedIn('', 'Your X verification code is 222222')).toEqual(['tw']);
    expect(servicesNamedIn('VK', 'VK: 444444 — код для входа')).toEqual(['vk']);
    expect(servicesNamedIn('TG', 'Your code 55555')).toEqual(['tg']);
    expect(servicesNamedIn('', 'Код Телеграм: 44444')).toEqual(['tg']);
    expect(servicesNamedIn('', 'Ваш код ВК: 1234')).toEqual(['vk']);
  });

  it('finds names in scripts written without spaces inside the sentence, and full-width Latin', () => {
    expect(servicesNamedIn('106575', '【腾讯科技】你的微信验证码：515151，用于手机号登录')).toEqual(['wb']);
    expect(servicesNamedIn('', '您的抖音验证码是1234')).toEqual(['lf']);
    expect(servicesNamedIn('', '카카오톡인증번호 1234')).toEqual(['kt']);
    expect(servicesNamedIn('', 'カカオトークの認証番号 1234')).toEqual(['kt']);
    expect(servicesNamedIn('', 'Ｔｅｌｅｇｒａｍ code 1234')).toEqual(['tg']);
    // A Latin name written against such text is whole too.
    expect(servicesNamedIn('+8610690000', '您的WhatsApp代码：987-654')).toEqual(['wa']);
    expect(servicesNamedIn('', 'Telegram代码：12345')).toEqual(['tg']);
    expect(servicesNamedIn('', 'Instagramの認証コード 123456')).toEqual(['ig']);
    expect(servicesNamedIn('', 'TikTok認証コード: 1234')).toEqual(['lf']);
  });

  it('takes a Cyrillic name with its case ending', () => {
    expect(servicesNamedIn('', 'Код для входа в Телеграме: 12345')).toEqual(['tg']);
    expect(servicesNamedIn('', 'Код Вотсапа: 12345')).toEqual(['wa']);
  });

  it('does not take short words in lower case, numbers, parts of words or the catch-all service for a name', () => {
    expect(servicesNamedIn('', 'tg wa fb x: 1234')).toEqual([]);
    expect(servicesNamedIn('', 'Your code is 1688')).toEqual([]);
    expect(servicesNamedIn('', 'Your code is X7KQ2')).toEqual([]);
    expect(servicesNamedIn('', 'Your code is 1234, anyone asking for it is a scammer')).toEqual([]);
    expect(servicesNamedIn('', 'telegramming is fun 1234')).toEqual([]);
  });
});
