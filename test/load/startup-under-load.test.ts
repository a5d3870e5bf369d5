import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onPostgres } from '../support/database.ts';
import { freePort, type SpawnedServer, spawnServer, tempDir } from '../support/spawn.ts';

/**
 * The report behind this test: a first `npm start` on a busy machine logged its SECRET_KEY line and
 * nothing more, not ready after a minute, its pglite folder empty. The cause: creating the database
 * (PGlite's initdb) takes seconds of CPU in one synchronous call, which blocked every timer, the
 * DB_OPEN_TIMEOUT_MS one included. Now each start-up step is bounded: a start ends ready, or exits
 * naming the step that did not finish. Never still starting, in silence.
 */
const SERVERS = 10;
const BUSY_PROCESSES = 2;
const STEP_TIMEOUT_MS = 15_000;
/** Generous: loading the code, then the three slow steps (create, open, migrate) each at their bound. */
const BOUND_MS = 60_000 + 3 * STEP_TIMEOUT_MS;

const folders: { remove(): Promise<void> }[] = [];
const children: { kill(signal: NodeJS.Signals): void }[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const folder of folders) await folder.remove();
});

type Outcome =
  | { state: 'ready' }
  | { state: 'exited'; code: number | string; output: string }
  | { state: 'still starting'; output: string };

async function outcome(server: SpawnedServer, deadline: number): Promise<Outcome> {
  let exit: number | string | undefined;
  void server.exited.then((code) => {
    exit = code;
  });
  while (performance.now() < deadline) {
    if (exit !== undefined) return { state: 'exited', code: exit, output: server.output() };
    const status = await fetch(`${server.url}/readyz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return { state: 'ready' };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { state: 'still starting', output: server.output() };
}

function busyLoop(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

describe.skipIf(onPostgres())('first starts on a busy machine', () => {
  it(
    'ten fresh folders started at once each become ready, or exit naming the step that did not finish',
    async () => {
      for (let i = 0; i < BUSY_PROCESSES; i++) children.push(busyLoop());
      const starts = await Promise.all(
        Array.from({ length: SERVERS }, async () => {
          const folder = await tempDir('otpbox-load-');
          folders.push(folder);
          const dataDir = path.join(folder.path, 'data');
          const server = spawnServer({ DATA_DIR: dataDir, PORT: String(await freePort()), DB_OPEN_TIMEOUT_MS: String(STEP_TIMEOUT_MS) });
          children.push(server);
          return { server, dataDir };
        }),
      );
      const deadline = performance.now() + BOUND_MS;
      const outcomes = await Promise.all(starts.map(({ server }) => outcome(server, deadline)));

      for (const [i, result] of outcomes.entries()) {
        if (result.state === 'ready') continue;
        expect(result.state, `server ${i} neither ready nor gone:\n${'output' in result ? result.output : ''}`).toBe('exited');
        if (result.state !== 'exited') continue;
        expect(result.code).not.toBe(0);
        expect(result.output).toMatch(/otpbox did not start: the step "[a-z -]+" did not finish within \d+ ms/);
        // Whole or nothing: no database left half-made by the interrupted first start.
        const pglite = path.join(starts[i]?.dataDir ?? '', 'pglite');
        expect(!existsSync(pglite) || existsSync(path.join(pglite, 'PG_VERSION'))).toBe(true);
      }
    },
    BOUND_MS + 60_000,
  );
});
