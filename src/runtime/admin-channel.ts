import { createHash, randomBytes } from 'node:crypto';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { safeErrorMessage } from '../lib/database-errors.ts';
import { constantTimeEqual } from '../lib/secrets.ts';

/**
 * The CLI channel. With the embedded database only the server process may open the data folder, so
 * `otpbox <command>` relays the command into the running server over a Unix socket in DATA_DIR.
 *
 * Access control is the file system: the folder is 0700, the socket and the token file are 0600, so
 * only the operator's user (or root) can connect. The token is a second check, for setups where the
 * socket has to live in the shared temporary folder (see `adminSocketPath`).
 *
 * Protocol: newline-delimited JSON frames.
 *   client → server  {t:"hello", token, argv, env}  {t:"stdin", d}  {t:"stdin-end"}
 *   server → client  {t:"out", d}  {t:"err", d}  {t:"exit", code}
 */

export const ADMIN_TOKEN_FILE = 'admin.token';
const SOCKET_NAME = 'otpbox.sock';
/** sockaddr_un holds ~108 bytes; stay clear of it. */
const MAX_SOCKET_PATH = 100;

export function adminSocketPath(dataDir: string): string {
  const preferred = path.join(dataDir, SOCKET_NAME);
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH) return preferred;
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `otpbox-${digest}.sock`);
}

type ClientFrame =
  | { t: 'hello'; token: string; argv: string[]; env: Record<string, string | undefined> }
  | { t: 'stdin'; d: string }
  | { t: 'stdin-end' };
type ServerFrame = { t: 'out'; d: string } | { t: 'err'; d: string } | { t: 'exit'; code: number };

export interface RelayedCommand {
  argv: string[];
  env: Record<string, string | undefined>;
  stdin: AsyncIterable<string>;
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface AdminChannel {
  readonly socketPath: string;
  close(graceMs?: number): Promise<void>;
}

/** Listen for relayed commands. The caller owns the data folder, so a leftover socket file is stale. */
export async function startAdminChannel(options: {
  dataDir: string;
  execute: (command: RelayedCommand) => Promise<number>;
  onError?: (error: unknown) => void;
}): Promise<AdminChannel> {
  const socketPath = adminSocketPath(options.dataDir);
  const tokenFile = path.join(options.dataDir, ADMIN_TOKEN_FILE);
  const token = randomBytes(32).toString('hex');
  await rm(tokenFile, { force: true });
  await writeFile(tokenFile, `${token}\n`, { mode: 0o600, flag: 'wx' });
  await rm(socketPath, { force: true });

  const active = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    active.add(socket);
    socket.on('close', () => active.delete(socket));
    handleConnection(socket, token, options.execute).catch((error) => {
      options.onError?.(error);
      socket.destroy();
    });
  });
  const previousUmask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(previousUmask);
  }
  await chmod(socketPath, 0o600);

  return {
    socketPath,
    /** Stop accepting; let commands in progress finish for up to `graceMs`, then cut them off. */
    close: async (graceMs = 5000) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const timer = setTimeout(() => {
        for (const socket of active) socket.destroy();
      }, graceMs);
      await closed;
      clearTimeout(timer);
      await rm(socketPath, { force: true });
      await rm(tokenFile, { force: true });
    },
  };
}

async function handleConnection(socket: net.Socket, token: string, execute: (command: RelayedCommand) => Promise<number>) {
  const send = (frame: ServerFrame) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(frame)}\n`);
  };
  const stdin = new LineQueue();
  let hello: Extract<ClientFrame, { t: 'hello' }> | undefined;
  let resolveHello: () => void = () => {};
  const helloReceived = new Promise<void>((resolve) => {
    resolveHello = resolve;
  });

  readFrames(socket, (frame: ClientFrame) => {
    if (!hello) {
      if (frame.t !== 'hello') return socket.destroy();
      hello = frame;
      resolveHello();
    } else if (frame.t === 'stdin') stdin.push(frame.d);
    else if (frame.t === 'stdin-end') stdin.end();
  });
  socket.on('close', () => stdin.end());
  socket.on('error', () => stdin.end());

  const timer = setTimeout(() => socket.destroy(), 5000);
  await helloReceived;
  clearTimeout(timer);
  if (!hello) return;
  if (typeof hello.token !== 'string' || !constantTimeEqual(hello.token, token)) {
    send({ t: 'err', d: 'Refused: the admin token does not match this server.\n' });
    send({ t: 'exit', code: 77 });
    socket.end();
    return;
  }
  let code: number;
  try {
    code = await execute({
      argv: Array.isArray(hello.argv) ? hello.argv.map(String) : [],
      env: hello.env && typeof hello.env === 'object' ? hello.env : {},
      stdin,
      stdout: (d) => send({ t: 'out', d }),
      stderr: (d) => send({ t: 'err', d }),
    });
  } catch (error) {
    send({ t: 'err', d: `Internal error: ${safeErrorMessage(error)}\n` });
    code = 1;
  }
  send({ t: 'exit', code });
  socket.end();
}

function readFrames<T>(socket: net.Socket, onFrame: (frame: T) => void) {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (!line) continue;
      try {
        onFrame(JSON.parse(line) as T);
      } catch {
        socket.destroy();
        return;
      }
    }
  });
}

/** An async iterable of text chunks fed by the socket. */
class LineQueue implements AsyncIterable<string> {
  #items: string[] = [];
  #waiting: ((result: IteratorResult<string>) => void) | undefined;
  #ended = false;
  push(item: string) {
    if (this.#ended) return;
    if (this.#waiting) {
      const wake = this.#waiting;
      this.#waiting = undefined;
      wake({ value: item, done: false });
    } else this.#items.push(item);
  }
  end() {
    this.#ended = true;
    const wake = this.#waiting;
    this.#waiting = undefined;
    wake?.({ value: undefined, done: true });
  }
  [Symbol.asyncIterator](): AsyncIterator<string> {
    return {
      next: () => {
        const item = this.#items.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.#ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.#waiting = resolve;
        });
      },
    };
  }
}

export type ConnectResult = { status: 'connected'; socket: net.Socket } | { status: 'absent' };

/** Connect to a running server's channel; `absent` when no server listens there. */
export async function connectAdminChannel(dataDir: string): Promise<ConnectResult> {
  const socketPath = adminSocketPath(dataDir);
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => resolve({ status: 'connected', socket }));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve({ status: 'absent' });
      else reject(error);
    });
  });
}

/** Relay a command through a connected channel; resolves with its exit code. */
export async function relayCommand(
  socket: net.Socket,
  dataDir: string,
  request: { argv: string[]; env: Record<string, string | undefined>; stdin?: AsyncIterable<string | Buffer> },
  output: { stdout(text: string): void; stderr(text: string): void },
): Promise<number> {
  const token = (await readFile(path.join(dataDir, ADMIN_TOKEN_FILE), 'utf8')).trim();
  // A command may finish without reading its input (refused for a bad argument): the server then
  // closes the channel while input is still being sent. What is left of it is not sent, and a write
  // that meets the closed channel is not a failure once the exit code has come.
  const open = () => !socket.writableEnded && !socket.destroyed;
  const send = (frame: ClientFrame) => {
    if (open()) socket.write(`${JSON.stringify(frame)}\n`);
  };
  return new Promise<number>((resolve, reject) => {
    let exitCode: number | undefined;
    readFrames(socket, (frame: ServerFrame) => {
      if (frame.t === 'out') output.stdout(frame.d);
      else if (frame.t === 'err') output.stderr(frame.d);
      else if (frame.t === 'exit') exitCode = frame.code;
    });
    socket.on('close', () => {
      if (exitCode === undefined)
        reject(new Error('The server closed the command channel before the command finished (is it shutting down?).'));
      else resolve(exitCode);
    });
    socket.on('error', (error) => {
      if (exitCode === undefined) reject(error);
    });
    send({ t: 'hello', token, argv: request.argv, env: request.env });
    void (async () => {
      if (request.stdin) {
        for await (const chunk of request.stdin) {
          if (!open()) return;
          send({ t: 'stdin', d: chunk.toString() });
        }
      }
      send({ t: 'stdin-end' });
    })().catch((error) => {
      if (exitCode === undefined) reject(error);
    });
  });
}
