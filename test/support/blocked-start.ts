// A start-up whose step blocks the main thread for good (as a synchronous call into PGlite can): only
// the watchdog thread can end it. Usage: blocked-start <timeoutMs>
import pino from 'pino';
import { startupSteps } from '../../src/runtime/startup-steps.ts';

const steps = startupSteps({ timeoutMs: Number(process.argv[2]), log: pino({ level: 'silent' }) });
await steps.run('open database', () => {
  process.stdout.write('blocking\n');
  for (;;) {
    // a synchronous call that never returns: no timer of this thread can fire
  }
});
