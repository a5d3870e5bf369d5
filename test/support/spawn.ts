import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/otpbox.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function tempDir(prefix = 'otpbox-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
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

/**
 * Environment for a child: only what we pass, plus PATH/HOME, so the developer's env cannot leak in.
 * OTPBOX_SOURCES=1: the bin runs src/ (what the tests test), even when a dist/ build is current.
 */
export function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', OTPBOX_SOURCES: '1', ...env };
}

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

/** Spawn `otpbox start` (the real bin) and collect its output. */
export function spawnServer(env: Record<string, string | undefined>): SpawnedServer {
  const child = spawn(process.execPath, [BIN, 'start'], { env: childEnv(env), cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    url: `http://127.0.0.1:${env.PORT}`,
    output: () => output,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Poll /readyz until 200; returns the milliseconds it took. Fails if the process exits first. */
export async function waitUntilReady(server: SpawnedServer, timeoutMs = 20_000): Promise<number> {
  const started = performance.now();
  let exited: number | string | undefined;
  void server.exited.then((code) => {
    exited = code;
  });
  while (performance.now() - started < timeoutMs) {
    if (exited !== undefined) throw new Error(`server exited (${exited}) before it was ready:\n${server.output()}`);
    try {
      const response = await fetch(`${server.url}/readyz`);
      if (response.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`server not ready after ${timeoutMs} ms:\n${server.output()}`);
}

/** Run the `otpbox` CLI to completion. */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdin.end(input ?? '');
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr };
}
