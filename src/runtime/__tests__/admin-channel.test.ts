import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../../test/support/spawn.ts';
import {
  ADMIN_TOKEN_FILE,
  adminSocketPath,
  connectAdminChannel,
  type RelayedCommand,
  relayCommand,
  startAdminChannel,
} from '../admin-channel.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir?.remove());

async function* chunks(...parts: string[]) {
  for (const part of parts) yield part;
}

async function relay(dataDir: string, argv: string[], env: Record<string, string> = {}, stdin?: AsyncIterable<string>) {
  const connection = await connectAdminChannel(dataDir);
  if (connection.status !== 'connected') throw new Error('no server');
  let stdout = '';
  let stderr = '';
  const code = await relayCommand(
    connection.socket,
    dataDir,
    { argv, env, stdin },
    {
      stdout: (d) => {
        stdout += d;
      },
      stderr: (d) => {
        stderr += d;
      },
    },
  );
  return { code, stdout, stderr };
}

describe('admin channel', () => {
  it('relays argv, declared env and stdin, and streams output and the exit code back', async () => {
    const seen: { argv: string[]; env: Record<string, string | undefined>; input: string }[] = [];
    const channel = await startAdminChannel({
      dataDir: dir.path,
      execute: async (command: RelayedCommand) => {
        let input = '';
        for await (const chunk of command.stdin) input += chunk;
        seen.push({ argv: command.argv, env: command.env, input });
        command.stdout(`out:${input.toUpperCase()}`);
        command.stderr('warning\n');
        return 3;
      },
    });
    try {
      expect((await stat(channel.socketPath)).mode & 0o777).toBe(0o600);
      expect((await stat(path.join(dir.path, ADMIN_TOKEN_FILE))).mode & 0o777).toBe(0o600);
      const result = await relay(
        dir.path,
        ['credits', 'grant', '--amount', '5'],
        { OTPBOX_PASSWORD: 'pw' },
        chunks('{"text":', '"a"}\n', 'b'),
      );
      expect(result).toEqual({ code: 3, stdout: 'out:{"TEXT":"A"}\nB', stderr: 'warning\n' });
      expect(seen).toEqual([{ argv: ['credits', 'grant', '--amount', '5'], env: { OTPBOX_PASSWORD: 'pw' }, input: '{"text":"a"}\nb' }]);
    } finally {
      await channel.close();
    }
  });

  it('refuses a client without the token from DATA_DIR', async () => {
    const channel = await startAdminChannel({ dataDir: dir.path, execute: async () => 0 });
    try {
      await writeFile(path.join(dir.path, ADMIN_TOKEN_FILE), 'wrong-token\n');
      const result = await relay(dir.path, ['migrate']);
      expect(result.code).toBe(77);
      expect(result.stderr).toMatch(/token does not match/);
    } finally {
      await channel.close();
    }
  });

  it('reports absent when no server listens, including a stale socket file left by a kill -9', async () => {
    expect((await connectAdminChannel(path.join(dir.path, 'nowhere'))).status).toBe('absent');
    const folder = path.join(dir.path, 'crashed');
    await mkdir(folder);
    const socketPath = adminSocketPath(folder);
    const child = spawnSync(process.execPath, [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    expect(child.signal).toBe('SIGKILL');
    expect(existsSync(socketPath)).toBe(true);
    expect((await connectAdminChannel(folder)).status).toBe('absent');
  });

  it('keeps long data folder paths working by moving the socket to the temp folder', () => {
    const long = `/${'x'.repeat(120)}`;
    expect(adminSocketPath(long).startsWith(long)).toBe(false);
    expect(Buffer.byteLength(adminSocketPath(long))).toBeLessThanOrEqual(100);
    expect(adminSocketPath('/srv/otpbox')).toBe('/srv/otpbox/otpbox.sock');
  });

  it('lets a command in progress finish when the server closes the channel', async () => {
    let release: (() => void) | undefined;
    const channel = await startAdminChannel({
      dataDir: dir.path,
      execute: async (command) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        command.stdout('finished\n');
        return 0;
      },
    });
    const running = relay(dir.path, ['slow']);
    await vi.waitFor(() => expect(release).toBeDefined()); // the command is executing
    const closing = channel.close(2000);
    release?.();
    await closing;
    expect(await running).toEqual({ code: 0, stdout: 'finished\n', stderr: '' });
  });

  it('a command that exits without reading its input gives its exit code, though input is still being sent', async () => {
    const channel = await startAdminChannel({
      dataDir: dir.path,
      execute: async (command) => {
        command.stderr('--role must be admin or support\n');
        return 64;
      },
    });
    // Standard input that keeps coming after the server has answered and closed the channel.
    let sent = 0;
    async function* endless() {
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        sent += 1;
        yield 'a line the command never reads\n';
      }
    }
    try {
      const result = await relay(dir.path, ['admin', 'create', '--role', 'foo'], {}, endless());
      expect(result).toEqual({ code: 64, stdout: '', stderr: '--role must be admin or support\n' });
      // Give the input loop time to meet the closed channel: nothing is thrown, nothing more is sent.
      const before = sent;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sent - before).toBeLessThanOrEqual(1);
    } finally {
      await channel.close();
    }
  });
});
