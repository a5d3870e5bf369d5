import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RANDOM_VALUE_RULES, randomValueProblem } from '../random-values.ts';

const problem = (value: string) => randomValueProblem(value, { maxLength: 200, uuid: true });

describe('randomValueProblem', () => {
  it('accepts what a CSPRNG makes in each documented format, at the shortest lengths', () => {
    // 20,000 draws: a false refusal rate near the documented bound (below 10⁻¹¹) would almost never show here,
    // but a rule that refuses ordinary random values (say one in a thousand) would.
    for (let i = 0; i < 5_000; i++) {
      for (const value of [
        randomUUID(),
        randomBytes(16).toString('hex'),
        randomBytes(16).toString('hex').toUpperCase(),
        `web-${randomBytes(16).toString('hex')}`,
      ]) {
        expect(problem(value), value).toBeUndefined();
      }
    }
    for (let i = 0; i < 5_000; i++) {
      const value = randomBytes(17).toString('base64url').slice(0, RANDOM_VALUE_RULES.minBase64Chars);
      // A base64url value made only of hex digits and '-' is read as hex (probability ~10⁻¹⁰ per draw).
      if (/^[0-9a-f-]+$/i.test(value)) continue;
      expect(problem(value), value).toBeUndefined();
    }
  });

  it('refuses the wrong formats and lengths, naming what is expected', () => {
    expect(problem('3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toMatch(/version 4\).*version 1/);
    expect(problem('3F2504E0-4F89-11D3-9A0C')).toMatch(/has 20 hex digits/);
    expect(problem(randomBytes(15).toString('hex'))).toMatch(/has 30 hex digits/);
    expect(problem(`x${randomBytes(16).toString('base64url').slice(0, 20)}`)).toMatch(/has 21 characters/);
    expect(problem(`${randomBytes(24).toString('base64')}=`)).toMatch(/no other characters/);
    expect(problem(`{${randomUUID()}}`)).toMatch(/no other characters/);
    const secretRules = { maxLength: 128, uuid: false };
    expect(randomValueProblem(randomBytes(65).toString('hex'), secretRules)).toBe('must be at most 128 characters');
    expect(randomValueProblem(randomUUID(), secretRules)).toMatch(/not a UUID/);
    expect(randomValueProblem(randomBytes(16).toString('hex'), secretRules)).toBeUndefined();
  });

  it('refuses constant, counted and repeated values', () => {
    const refused = [
      '0'.repeat(32),
      'ab'.repeat(16),
      'abc'.repeat(11),
      '012345'.repeat(6),
      'deadbeef'.repeat(4),
      '0123456789abcdef0123456789abcdef',
      'fedcba9876543210fedcba9876543210',
      '02468ace02468ace02468ace02468ace',
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabcdef',
      `${'0'.repeat(16)}${randomBytes(8).toString('hex')}`,
      `${randomBytes(8).toString('hex')}${'9'.repeat(16)}`,
      (() => {
        const half = randomBytes(8).toString('hex');
        return half + half;
      })(),
      '00000000-0000-4000-8000-000000000000',
    ];
    for (const value of refused) expect(problem(value), value).toMatch(/does not look random/);
  });

  it('refuses at the documented limits and not one below them', () => {
    const random = 'f3a9c1e7b5d20486';
    // 13 symbols predicted by one rule pass; 14 do not.
    expect(problem(`${random}${'0'.repeat(14)}${random.slice(0, 2)}`)).toBeUndefined();
    expect(problem(`${random}${'0'.repeat(15)}${random.slice(0, 1)}`)).toMatch(/does not look random/);
    // 6 different symbols pass; 5 do not.
    expect(problem('01523403125405213045123520143025')).toBeUndefined();
    expect(problem('01423041232041043120243014021340')).toMatch(/fewer than 6 different/);
  });
});
