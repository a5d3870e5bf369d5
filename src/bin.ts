// Process entry of the `otpbox` command: `node dist/src/bin.js <command>` in a built tree,
// or through bin/otpbox.js (tsx) in a source checkout.
import { main } from './cli.ts';

try {
  const code = await main(process.argv.slice(2));
  // -1 means the server is running; it exits on a signal.
  if (code >= 0) process.exitCode = code;
} catch (error) {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
}
