import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_SECRET, type TestApp } from '../../../test/support/app.ts';
import { onPostgres } from '../../../test/support/database.ts';
import { runCli, tempDir } from '../../../test/support/spawn.ts';
import { baseUrlOf } from '../../../test/support/sse.ts';
import { signAndroidWebhook } from '../../gateway-clients/android-sms-gateway/channel.ts';

/** As long as a gateway's cached secret may outlive its removal or its new key (ADR 47). */
const WITHIN_MS = 1_000;

/**
 * Two app instances on one PostgreSQL database, each caching the webhook gateways and their opened
 * secrets (http/gateway-cache.ts); the gateway is removed and connected again with a new key by
 * `otpbox` in a process of its own, as an operator would on another machine: neither instance hears
 * of it but through the database's NOTIFY (or its cache's end). On PostgreSQL only (PGlite is one
 * process).
 */
describe.skipIf(!onPostgres())('webhook gateways cached on two instances: removed or re-keyed elsewhere', { timeout: 120_000 }, () => {
  let a: TestApp;
  let b: TestApp;
  const bases: string[] = [];
  let dataDir: Awaited<ReturnType<typeof tempDir>>;
  const cli = (...argv: string[]) =>
    runCli(argv, { DATABASE_URL: a.database.url, SECRET_KEY: TEST_SECRET, DATA_DIR: dataDir.path, LOG_LEVEL: 'warn' });
  const addPhone = async () => {
    const added = await cli('gateways', 'add', '--kind', 'android-sms-gateway', '--name', 'phone');
    expect(added.code).toBe(0);
    const key = /Signing Key: set it to this key[^\n]*\n\s+(\S+)/.exec(added.stdout)?.[1];
    expect(key).toBeTruthy();
    return key as string;
  };

  /** A signed `system:ping` (a genuine delivery with no SMS) to one instance: its status. */
  const ping = async (base: string, key: string) => {
    const body = JSON.stringify({ deviceId: 'dev-1', event: 'system:ping', id: randomUUID(), webhookId: 'wh-1', payload: {} });
    const timestamp = String(Math.floor(a.clock.now().getTime() / 1000));
    const response = await fetch(`${base}/webhooks/gateways/phone`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signAndroidWebhook(key, body, timestamp), 'x-timestamp': timestamp },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  };

  /** Pings every instance until each answers `status`; how long after `since` the last one did. */
  const untilEvery = async (key: string, status: number, since: number) => {
    const pending = new Set(bases);
    while (pending.size > 0 && performance.now() - since < 10 * WITHIN_MS) {
      for (const base of [...pending]) if ((await ping(base, key)) === status) pending.delete(base);
      if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect([...pending]).toEqual([]);
    return performance.now() - since;
  };

  beforeAll(async () => {
    dataDir = await tempDir();
    a = await createTestApp({ env: { SANDBOX: 'off' } });
    b = await createTestApp({ env: { SANDBOX: 'off' }, database: a.database, clock: a.clock });
    bases.push(await baseUrlOf(a), await baseUrlOf(b));
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await dataDir?.remove();
  });

  it('a removed gateway’s key, and the key it had before it was connected again, stop working within a second on both', async () => {
    const first = await addPhone();
    // Both instances take deliveries and keep the gateway and its key.
    for (const base of bases) for (let i = 0; i < 3; i++) expect(await ping(base, first)).toBe(200);

    const removed = await cli('gateways', 'remove', 'phone');
    expect(removed.code).toBe(0);
    expect(await untilEvery(first, 404, performance.now())).toBeLessThan(WITHIN_MS);

    // Connected again under the same name: a new key. The old one is refused, the new one taken, on both.
    for (const base of bases) expect(await ping(base, first)).toBe(404);
    const second = await addPhone();
    const since = performance.now();
    expect(await untilEvery(second, 200, since)).toBeLessThan(WITHIN_MS);
    for (const base of bases) expect(await ping(base, first)).toBe(401);
  });
});
