import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../config.ts';
import { mailTransport, NO_SMTP_WARNING } from '../transport.ts';

function capturedLog() {
  const lines: { level: number; msg: string; variable?: string }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('choosing how e-mail leaves', () => {
  it('warns once, loudly, when SMTP_URL is unset: links would reach only the log', () => {
    const { log, lines } = capturedLog();
    const transport = mailTransport(testConfig(), log);
    expect(transport.kind).toBe('log');
    expect(lines).toEqual([expect.objectContaining({ level: 40, variable: 'SMTP_URL', msg: NO_SMTP_WARNING })]);
    expect(NO_SMTP_WARNING).toMatch(/password reset links\) is written to this log instead of being sent/);
    expect(NO_SMTP_WARNING).toMatch(/Set SMTP_URL=smtp:\/\//);
  });

  it('sends through SMTP, without a word, when SMTP_URL is set', () => {
    const { log, lines } = capturedLog();
    const transport = mailTransport(testConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' }), log);
    expect(transport.kind).toBe('smtp');
    transport.close();
    expect(lines).toEqual([]);
  });
});
