import { extractCode } from '../modules/otp/index.ts';
import { type CommandDefinition, EXIT, readLines } from './types.ts';

/**
 * A filter over JSON lines: `{"text": "..."}` in, `{"code": "..." | null}` out, one output line per
 * input line and in the same order, so callers can zip the two streams. A bad line still gets its
 * output line (with an error), so the order never shifts; it makes the exit status 1.
 */
export const otpExtractCommand: CommandDefinition = {
  path: ['otp-extract'],
  summary: 'Read JSON lines {"text": …} on stdin, write {"code": …|null} for each',
  usage: 'otpbox otp-extract < messages.jsonl',
  stdin: true,
  database: false,
  async run(_ctx, _args, io) {
    let lineNumber = 0;
    let failed = false;
    for await (const line of readLines(io.stdin)) {
      lineNumber++;
      if (line.trim() === '') continue;
      const text = messageText(line);
      if (text === undefined) {
        const error = `line ${lineNumber}: expected a JSON object with a string "text"`;
        io.stdout(`${JSON.stringify({ code: null, error })}\n`);
        io.stderr(`${error}\n`);
        failed = true;
        continue;
      }
      io.stdout(`${JSON.stringify({ code: extractCode(text) })}\n`);
    }
    return failed ? EXIT.failure : EXIT.ok;
  },
};

function messageText(line: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const text: unknown = (parsed as Record<string, unknown>).text;
  return typeof text === 'string' ? text : undefined;
}
