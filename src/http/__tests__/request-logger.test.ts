import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LazyRequestLogger, requestLoggerFactory } from '../request-logger.ts';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level, base: undefined }, sink), lines };
}

describe('LazyRequestLogger', () => {
  it('writes with its bindings, at the levels its parent allows, and makes the child only once used', () => {
    const { log, lines } = capture('warn');
    let children = 0;
    const parent = Object.assign(Object.create(log), {
      child: (...args: Parameters<typeof log.child>) => {
        children++;
        return log.child(...args);
      },
    });
    const lazy = new LazyRequestLogger(parent, { requestId: 'req_1' });
    lazy.info({ a: 1 }, 'not at warn');
    lazy.debug('not either');
    expect(lazy.isLevelEnabled('info')).toBe(false);
    expect(lazy.level).toBe('warn');
    expect(children).toBe(0);
    lazy.warn({ a: 2 }, 'kept');
    lazy.error(new Error('boom'), 'failed');
    expect(children).toBe(1);
    expect(lines.map((l) => [l.requestId, l.msg])).toEqual([
      ['req_1', 'kept'],
      ['req_1', 'failed'],
    ]);
    expect(lines[0]?.a).toBe(2);
    expect(lines[1]).toMatchObject({ err: { message: 'boom' } });
    lazy.child({ step: 'x' }).warn('nested');
    expect(lines[2]).toMatchObject({ requestId: 'req_1', step: 'x', msg: 'nested' });
  });

  it('writes a completion line with its bindings first, through the child once there is one', () => {
    const { log, lines } = capture('info');
    const lazy = new LazyRequestLogger(log, { requestId: 'req_2' });
    lazy.line('info', { responseTime: 1.5 }, 'request completed');
    lazy.info('handler line');
    lazy.line('info', { responseTime: 2 }, 'request completed');
    expect(lines.map((l) => Object.keys(l).filter((k) => k !== 'time'))).toEqual([
      ['level', 'requestId', 'responseTime', 'msg'],
      ['level', 'requestId', 'msg'],
      ['level', 'requestId', 'responseTime', 'msg'],
    ]);
  });

  it('is a real child at once for a route with its own level or serializers', () => {
    const { log } = capture('info');
    const quiet = requestLoggerFactory(log, { requestId: 'req_3' }, { level: 'warn' });
    expect(quiet).not.toBeInstanceOf(LazyRequestLogger);
    expect(quiet.level).toBe('warn');
    expect(quiet.bindings()).toEqual({ requestId: 'req_3' });
    expect(requestLoggerFactory(log, { requestId: 'req_4' }, {})).toBeInstanceOf(LazyRequestLogger);
  });
});
