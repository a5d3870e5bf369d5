import net from 'node:net';
import type { Database } from '../../src/db/client.ts';

/**
 * A TCP relay on 127.0.0.1 in front of a server (PostgreSQL in the tests), that can go silent the way a
 * broken network does: no reset, no close, the bytes simply stop arriving.
 * - `silence('answers')`: what the server sends is held (it ran the statement; its answer is not coming);
 * - `silence('both')`: the network drops what is sent either way, as a partition does the packets that a
 *   sender gives up on (the relay's kernel has acknowledged them, so the sender's reset cannot);
 * - `restore()`: the held answers are delivered and the relay forwards again.
 * A side that closes or resets its connection closes the other side's too, as the peer's reset would
 * once the network is back.
 */
export interface TcpProxy {
  readonly port: number;
  /** The connection URL `url` with its host and port replaced by the relay's. */
  via(url: string): string;
  /**
   * `database` with only the connections it opens on its own (`raw.url`: LISTEN, the SMPP links' locks)
   * through the relay; its pool still goes straight to the server.
   */
  ownConnectionsVia<D extends Database>(database: D): D;
  /** The start-up parameters of each connection opened through the relay (its first message), in order. */
  readonly startups: Record<string, string>[];
  silence(what: 'answers' | 'both'): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let silenced: 'none' | 'answers' | 'both' = 'none';
  const startups: Record<string, string>[] = [];
  const pairs = new Set<{ client: net.Socket; server: net.Socket }>();
  const apply = (pair: { client: net.Socket; server: net.Socket }) => {
    if (silenced === 'answers') pair.server.pause();
    else pair.server.resume();
  };
  const relay = net.createServer((client) => {
    const server = net.connect(target.port, target.host);
    const pair = { client, server };
    pairs.add(pair);
    let first = true;
    client.on('data', (chunk) => {
      if (first) startups.push(startupParameters(chunk));
      first = false;
      if (silenced !== 'both') server.write(chunk);
    });
    server.on('data', (chunk) => silenced === 'both' || client.write(chunk));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    for (const socket of [client, server]) {
      socket.on('error', end);
      socket.on('close', end);
      socket.on('end', end);
    }
    apply(pair);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const port = (relay.address() as net.AddressInfo).port;
  const via = (url: string) => {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(port);
    return parsed.toString();
  };
  return {
    port,
    startups,
    via,
    ownConnectionsVia(database) {
      const raw = database.raw;
      if (raw.engine !== 'postgres') throw new Error('PostgreSQL only: the embedded database opens no connection');
      return { ...database, raw: { ...raw, url: via(raw.url) } };
    },
    silence(what) {
      silenced = what;
      for (const pair of pairs) apply(pair);
    },
    restore() {
      silenced = 'none';
      for (const pair of pairs) apply(pair);
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.server.destroy();
      }
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}

/**
 * The parameters of a PostgreSQL start-up message (length, protocol 3.0, then name and value pairs, each
 * ended by a zero byte, and a final zero); empty for any other first message (an SSL request).
 */
function startupParameters(message: Buffer): Record<string, string> {
  const parameters: Record<string, string> = {};
  if (message.length < 8 || message.readInt32BE(4) !== 196608) return parameters;
  const fields = message.subarray(8, message.readInt32BE(0)).toString('utf8').split('\0');
  for (let i = 0; i + 1 < fields.length && fields[i] !== ''; i += 2) parameters[fields[i] as string] = fields[i + 1] as string;
  return parameters;
}
