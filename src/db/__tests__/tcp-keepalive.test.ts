import { execFileSync, spawnSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { onPostgres } from '../../../test/support/database.ts';
import { queryRows } from '../client.ts';

// PostgreSQL only, on Linux: the kernel's view of the app's connections (`ss -o` shows a socket's
// keepalive timer), found by the client ports PostgreSQL sees (pg_stat_activity).
let t: TestApp;
beforeAll(async () => {
  if (!onPostgres()) return;
  t = await createTestApp();
});
afterAll(() => t?.close());

/** iproute2's `ss`, which reads a socket's timers (Linux). */
const hasSs = process.platform === 'linux' && spawnSync('ss', ['-V']).status === 0;

/** `ss`'s line for the connection from `port` on this machine to PostgreSQL. */
const socketLine = (port: number) => execFileSync('ss', ['-tnoH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
/** `ss`'s line for PostgreSQL's end of the connection from `port` (the server runs on this machine in the tests). */
const serverSocketLine = (port: number) =>
  execFileSync('ss', ['-tnoH', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
/** The seconds left on a keepalive timer as `ss` prints it (`timer:(keepalive,29sec,0)`, `timer:(keepalive,119min,0)`). */
function keepaliveSeconds(line: string): number | undefined {
  const timer = /timer:\(keepalive,(?:(\d+)min)?(?:(\d+(?:\.\d+)?)sec)?(?:(\d+)ms)?,/.exec(line);
  if (!timer) return undefined;
  return Number(timer[1] ?? 0) * 60 + Number(timer[2] ?? 0) + Number(timer[3] ?? 0) / 1000;
}

/** The app's sessions (a pool connection and the LISTEN connection) with the client port PostgreSQL sees: both kinds. */
async function appSessions(): Promise<{ application_name: string; client_port: number }[]> {
  await t.database.db.execute(sql`select 1`);
  const sessions = await queryRows<{ application_name: string; client_port: number }>(
    t.database.db,
    sql`select application_name, client_port from pg_stat_activity
        where datname = current_database() and application_name in ('otpbox', 'otpbox-events') and client_port > 0`,
  );
  expect(new Set(sessions.map((s) => s.application_name))).toEqual(new Set(['otpbox', 'otpbox-events']));
  return sessions;
}

describe.runIf(onPostgres() && hasSs)('TCP keepalive on the connections to PostgreSQL', () => {
  it('probes the pool connections and the LISTEN connection, which sits idle whenever nothing happens', async () => {
    const sessions = await appSessions();
    for (const session of sessions) expect(socketLine(session.client_port), session.application_name).toMatch(/timer:\(keepalive,/);
  });

  it("has PostgreSQL probe its end of them after 30 s of silence, not after the kernel's two hours (ADR 51)", async () => {
    const sessions = await appSessions();
    for (const session of sessions) {
      // While an answer waits to be acknowledged, the socket shows its retransmission timer instead.
      await expect
        .poll(() => keepaliveSeconds(serverSocketLine(session.client_port)), { message: session.application_name })
        .toBeLessThanOrEqual(30);
    }
  });
});
