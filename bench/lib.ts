import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The `otpbox` command measured; BENCH_OTPBOX_BIN points at another checkout's to compare two versions. */
export const BIN = process.env.BENCH_OTPBOX_BIN ?? path.join(ROOT, 'bin/otpbox.js');

/**
 * The options `npm start` gives node (package.json's `start` script), so that the start-up and memory
 * benchmark runs the server as a user does: `node [options] bin/otpbox.js start`.
 */
export function npmStartNodeOptions(): string[] {
  const script = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start as string;
  const match = /^node((?: --[\w-]+(?:=\S+)?)*) bin\/otpbox\.js start$/.exec(script);
  if (!match) throw new Error(`package.json's start script is not "node [options] bin/otpbox.js start": ${script}`);
  return (match[1] ?? '').split(' ').filter(Boolean);
}

export interface Row {
  name: string;
  value: number;
  unit: string;
  /** Ratio to the baseline of the same benchmark (lower is better unless said otherwise). */
  ratio?: number;
  note?: string;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export function printTable(title: string, rows: Row[]) {
  console.log(`\n## ${title}`);
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const row of rows) {
    const ratio = row.ratio === undefined ? '' : `  ${row.ratio.toFixed(2)}× baseline`;
    console.log(
      `  ${row.name.padEnd(width)}  ${row.value.toFixed(row.value < 10 ? 2 : 0).padStart(8)} ${row.unit}${ratio}${row.note ? `  (${row.note})` : ''}`,
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'otpbox-bench-'));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface Started {
  child: ChildProcess;
  url: string;
  readyMs: number;
  exited: Promise<unknown>;
}

/**
 * Spawn a process and measure the time until GET /readyz answers 200. `openFiles`: the soft limit of
 * open files it needs, raised through the shell (up to the hard limit) for a server holding thousands
 * of sockets; the shell execs node, so the process id stays the server's.
 */
export async function spawnUntilReady(args: string[], env: Record<string, string>, openFiles?: number): Promise<Started> {
  const port = await freePort();
  const started = performance.now();
  const [command, commandArgs] = openFiles
    ? ['/bin/sh', ['-c', `ulimit -n ${openFiles} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`, process.execPath, ...args]]
    : [process.execPath, args];
  const child = spawn(command, commandArgs, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not yet listening
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { child, url, readyMs: performance.now() - started, exited };
}

export async function stop(started: Started, signal: NodeJS.Signals = 'SIGTERM') {
  started.child.kill(signal);
  await started.exited;
}
