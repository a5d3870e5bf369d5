// Process entry of the `otpbox` command: bundled into dist/otpbox.mjs by the build (`node dist/otpbox.mjs
// <command>`), or run from the sources through tsx by bin/otpbox.js.
import { main } from './cli.ts';

const argv = process.argv.slice(2);
// A reader that stopped reading (`otpbox numbers list | head -1`) is not a failure of the command, whose
// work is done by the time it writes: the rest of its output is dropped, without a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
});
// A start that failed may leave behind the work of the step that never finished (an open connection,
// a database still opening): it exits at once rather than wait for that work to end by itself.
const exitNow = (code: number) => {
  process.exitCode = code;
  if (code > 0 && argv[0] === 'start') process.exit(code);
};

try {
  const code = await main(argv);
  // -1 means the server is running; it exits on a signal.
  if (code >= 0) exitNow(code);
} catch (error) {
  console.error(error instanceof Error ? error.stack : error);
  exitNow(1);
}
