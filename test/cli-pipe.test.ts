import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from './support/spawn.ts';

describe('the otpbox command writing to a reader that went away', () => {
  it('ends quietly, with its own exit code, when its output pipe is closed (`otpbox … | head -1`)', async () => {
    const child = spawn(process.execPath, [BIN, '--version'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    // Closed before the command starts writing (it loads for far longer than this takes).
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});
