import { readdir } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../../../test/support/spawn.ts';

const folders: { remove(): Promise<void> }[] = [];
afterAll(async () => {
  for (const folder of folders) await folder.remove();
});

/** Runs `otpbox otp-extract` (the real bin) on a fresh, empty data folder. */
async function otpExtract(input: string, args: string[] = []) {
  const dir = await tempDir();
  folders.push(dir);
  const result = await runCli(['otp-extract', ...args], { DATA_DIR: dir.path }, input);
  return { ...result, lines: result.stdout.split('\n').filter((line) => line !== ''), dataDirEntries: await readdir(dir.path) };
}

const jsonLine = (value: unknown) => `${JSON.stringify(value)}\n`;

describe('otpbox otp-extract', () => {
  it('writes one {"code"} line per message, in input order, with null when there is no code, and opens no database', async () => {
    const input = [
      { text: 'Your verification code is 417-093' },
      { text: 'See you at 7, bring 2 bottles' },
      { text: '【阿里云盘】验证码：５６７７７３。15分钟内有效' },
      { text: 'G-723210(이)가 Google 인증 코드입니다.' },
    ]
      .map(jsonLine)
      .join('');
    const result = await otpExtract(input);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.lines.map((line) => JSON.parse(line))).toEqual([
      { code: '417093' },
      { code: null },
      { code: '567773' },
      { code: '723210' },
    ]);
    // A pure command: no PGlite folder, no secret key, no lock, no socket in DATA_DIR.
    expect(result.dataDirEntries).toEqual([]);
  });

  it('keeps the order across bad lines, reports each on stderr with its line number, and exits 1', async () => {
    const input = [
      jsonLine({ text: 'Your code is 5521' }),
      'not json\n',
      jsonLine(['text']),
      jsonLine({ body: 'Your code is 1234' }),
      jsonLine({ text: 42 }),
      'null\n',
      jsonLine({ text: 'Your PIN is 4412' }),
    ].join('');
    const result = await otpExtract(input);
    expect(result.code).toBe(1);
    const error = (n: number) => `line ${n}: expected a JSON object with a string "text"`;
    expect(result.lines.map((line) => JSON.parse(line))).toEqual([
      { code: '5521' },
      { code: null, error: error(2) },
      { code: null, error: error(3) },
      { code: null, error: error(4) },
      { code: null, error: error(5) },
      { code: null, error: error(6) },
      { code: '4412' },
    ]);
    expect(result.stderr.trim().split('\n')).toEqual([2, 3, 4, 5, 6].map(error));
  });

  it('skips blank lines without output, counts them in line numbers, and accepts CRLF and a last line without a newline', async () => {
    const input = `\n${jsonLine({ text: 'Your code is 8821' }).trimEnd()}\r\n   \n{"text":\n${JSON.stringify({ text: 'PIN 331' })}`;
    const result = await otpExtract(input);
    expect(result.code).toBe(1);
    expect(result.lines.map((line) => JSON.parse(line))).toEqual([
      { code: '8821' },
      { code: null, error: 'line 4: expected a JSON object with a string "text"' },
      { code: '331' },
    ]);
  });

  it('writes nothing and exits 0 on empty input', async () => {
    const result = await otpExtract('');
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '', dataDirEntries: [] });
  });

  it('refuses arguments with the usage exit status', async () => {
    const result = await otpExtract('', ['--text', 'x']);
    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
  });
});
