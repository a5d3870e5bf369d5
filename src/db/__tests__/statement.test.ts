import { describe, expect, it } from 'vitest';
import { join, param, params, raw, sql, statement } from '../statement.ts';

describe('statement builder', () => {
  it('numbers parameters by first appearance and casts each use', () => {
    const p = params({ account: 'text', now: 'timestamptz' });
    const built = statement('otpbox_test_numbering', sql`select ${p.now}, ${p.account}`);
    expect(built.text).toBe('select $1::timestamptz, $2::text');
    expect(built.params.map((x) => x.name)).toEqual(['now', 'account']);
  });

  it('binds a name used twice to one $n', () => {
    const p = params({ account: 'text', amount: 'bigint' });
    const built = statement('otpbox_test_twice', sql`select ${p.account} where ${p.amount} > 0 and owner = ${p.account}`);
    expect(built.text).toBe('select $1::text where $2::bigint > 0 and owner = $1::text');
    expect(built.bind({ account: 'acc_1', amount: 5 })).toEqual(['acc_1', 5]);
  });

  it('joins parameters declared in separate fragments under the same name and type', () => {
    const part = sql`insert into t (at) values (${param('now', 'timestamptz')})`;
    const built = statement('otpbox_test_shared', sql`with a as (${part}) select ${param('now', 'timestamptz')}`);
    expect(built.params).toHaveLength(1);
    expect(built.text).toBe('with a as (insert into t (at) values ($1::timestamptz)) select $1::timestamptz');
  });

  it('refuses one name declared with two types', () => {
    expect(() => statement('otpbox_test_clash', sql`select ${param('x', 'text')}, ${param('x', 'int')}`)).toThrow(
      /parameter "x" is declared as text and as int/,
    );
  });

  it('binds values by name, in $n order, keeping null', () => {
    const p = params({ a: 'text', b: 'int', c: 'jsonb' });
    const built = statement('otpbox_test_bind', sql`select ${p.c}, ${p.a}, ${p.b}`);
    expect(built.bind({ a: 'x', b: 2, c: null })).toEqual([null, 'x', 2]);
  });

  it('refuses a missing value, naming the parameter', () => {
    const p = params({ a: 'text', b: 'int' });
    const built = statement('otpbox_test_missing', sql`select ${p.a}, ${p.b}`);
    expect(() => built.bind({ a: 'x' } as never)).toThrow(/statement otpbox_test_missing: no value for parameter "b"/);
    expect(() => built.bind({ a: 'x', b: undefined })).toThrow(/no value for parameter "b"/);
  });

  it('refuses a value for a parameter the statement does not have', () => {
    const p = params({ a: 'text' });
    const built = statement('otpbox_test_unknown', sql`select ${p.a}`);
    expect(() => built.bind({ a: 'x', typo: 1 } as never)).toThrow(/no parameter named "typo"/);
  });

  it('refuses a parameter written by position', () => {
    expect(() => statement('otpbox_test_positional', sql`select $1::text`)).toThrow(/written by position/);
    expect(() => statement('otpbox_test_positional_raw', sql`select ${raw('$2')}`)).toThrow(/written by position/);
  });

  it('refuses a statement name built with two texts, and accepts the same text again', () => {
    statement('otpbox_test_name', sql`select 1`);
    expect(() => statement('otpbox_test_name', sql`select 1`)).not.toThrow();
    expect(() => statement('otpbox_test_name', sql`select 2`)).toThrow(/already built with another text/);
  });

  it('prefixes names so that parts do not collide', () => {
    const event = params({ id: 'text' }, 'event');
    const order = params({ id: 'text' }, 'order');
    const built = statement('otpbox_test_prefix', sql`select ${event.id}, ${order.id}`);
    expect(built.params.map((x) => x.name)).toEqual(['event.id', 'order.id']);
    expect(built.bind({ 'event.id': 'aev_1', 'order.id': 'act_1' })).toEqual(['aev_1', 'act_1']);
  });

  it('composes fragments, constant text and joins', () => {
    const p = params({ a: 'text', b: 'int' });
    const columns = join([sql`x = ${p.a}`, sql`y = ${p.b}`, raw('z = 0')], ', ');
    const built = statement('otpbox_test_compose', sql`update t set ${columns} where ${raw('"id"')} = ${p.a}`);
    expect(built.text).toBe('update t set x = $1::text, y = $2::int, z = 0 where "id" = $1::text');
  });

  it('refuses to interpolate a value (only parameters and fragments)', () => {
    expect(() => sql`select ${'1' as never}`).toThrow(/only parameters and fragments/);
  });

  it('refuses bad parameter names and types', () => {
    expect(() => param('a b', 'text')).toThrow(/bad parameter name/);
    expect(() => param('a', 'text; drop table x')).toThrow(/bad SQL type/);
  });
});
