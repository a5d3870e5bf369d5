import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTH_CHANNEL, CATALOG_CHANNEL, EVENT_CHANNEL, NOTIFY_CHANNELS } from '../channels.ts';

const srcDir = path.resolve(import.meta.dirname, '../..');
const migrationsDir = path.join(srcDir, 'db/migrations');

/** The channel names a piece of SQL announces on or listens to. */
function channelsIn(sql: string): string[] {
  const found = [
    ...sql.matchAll(/pg_notify\s*\(\s*'([^']+)'/gi),
    ...sql.matchAll(/\b(?:NOTIFY|LISTEN|UNLISTEN)\s+"?([a-z_][a-z0-9_$]*)"?/gi),
  ].map((match) => match[1] ?? '');
  return [...new Set(found)].sort();
}

async function filesUnder(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(suffix)).map((e) => path.join(e.parentPath, e.name));
}

describe('NOTIFY channels', () => {
  it('are named once, in db/channels.ts', () => {
    expect(NOTIFY_CHANNELS).toEqual([
      'otpbox_events',
      'otpbox_auth',
      'otpbox_catalog',
      'otpbox_balance',
      'otpbox_stats',
      'otpbox_gateways',
    ]);
    expect(new Set(NOTIFY_CHANNELS).size).toBe(NOTIFY_CHANNELS.length);
  });

  it('reads channel names out of SQL', () => {
    const sql = `select pg_notify('otpbox_events', payload); NOTIFY otpbox_auth, 'x'; LISTEN "otpbox_catalog"; notify ignored_name`;
    expect(channelsIn(sql)).toEqual(['ignored_name', 'otpbox_auth', 'otpbox_catalog', 'otpbox_events']);
  });

  it('in the migrations, are only the constants', async () => {
    for (const file of await filesUnder(migrationsDir, '.sql')) {
      const used = channelsIn(await readFile(file, 'utf8'));
      for (const channel of used) expect(NOTIFY_CHANNELS, `${path.basename(file)} names ${channel}`).toContain(channel);
    }
  });

  it('are spelled nowhere else in the server code: every user imports the constant', async () => {
    const literal = new RegExp(`['"\`](${[EVENT_CHANNEL, AUTH_CHANNEL, CATALOG_CHANNEL].join('|')})['"\`]`);
    const spelled: string[] = [];
    for (const file of await filesUnder(srcDir, '.ts')) {
      if (file.includes('__tests__') || file.endsWith(path.join('db', 'channels.ts'))) continue;
      const text = await readFile(file, 'utf8');
      if (literal.test(text) || /pg_notify\s*\(\s*'[a-z_]|\.listen\(\s*['"`]/.test(text)) spelled.push(path.relative(srcDir, file));
    }
    expect(spelled).toEqual([]);
  });
});
