import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { randomTxid, startFakeBlockonomics } from '../../../../test/fakes/blockonomics-server.ts';
import { readBlockonomicsCallback } from '../callback.ts';
import { confirmationsSetting, creditsAt } from '../confirmations.ts';

const SECRET = 'cb-secret-0123456789abcdef';
const ADDR = 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4';
const TXID = 'c4978bfc9b4cd632fb37eb5f69c7c686ae364d9cb1b32ec01c0f8bae72530a4e';
const good = { secret: SECRET, status: '2', addr: ADDR, value: '500000', txid: TXID };

describe('readBlockonomicsCallback', () => {
  it('reads a valid callback and keeps no secret', () => {
    const reading = readBlockonomicsCallback(good, SECRET);
    expect(reading).toEqual({ ok: true, callback: { status: 2, address: ADDR, satoshis: 500_000, txid: TXID, rbf: false } });
    expect(JSON.stringify(reading)).not.toContain(SECRET);
  });

  it('reads rbf, status -1, an upper-case txid, and ignores parameters it does not know', () => {
    const reading = readBlockonomicsCallback({ ...good, status: '0', rbf: '1', txid: TXID.toUpperCase(), crypto: 'BTC' }, SECRET);
    expect(reading).toEqual({ ok: true, callback: { status: 0, address: ADDR, satoshis: 500_000, txid: TXID, rbf: true } });
    expect(readBlockonomicsCallback({ ...good, status: '-1' }, SECRET)).toMatchObject({ ok: true, callback: { status: -1 } });
  });

  it('refuses a missing, wrong, repeated or unconfigured secret before looking at anything else', () => {
    const refused = { ok: false, reason: 'bad_secret' };
    expect(readBlockonomicsCallback({ ...good, secret: undefined }, SECRET)).toMatchObject(refused);
    expect(readBlockonomicsCallback({ ...good, secret: `${SECRET}x` }, SECRET)).toMatchObject(refused);
    expect(readBlockonomicsCallback({ ...good, secret: SECRET.toUpperCase() }, SECRET)).toMatchObject(refused);
    expect(readBlockonomicsCallback({ ...good, secret: [SECRET, SECRET] }, SECRET)).toMatchObject(refused);
    expect(readBlockonomicsCallback({ ...good, secret: '' }, '')).toMatchObject(refused);
    // Malformed but unauthenticated: still only "bad secret".
    expect(readBlockonomicsCallback({ secret: 'nope', status: 'x' }, SECRET)).toMatchObject(refused);
    expect(readBlockonomicsCallback(null, SECRET)).toMatchObject(refused);
  });

  it('names every problem of a malformed callback', () => {
    const reading = readBlockonomicsCallback(
      { secret: SECRET, status: '3', addr: 'not-an-address', value: '1.5', txid: 'abc', rbf: 'maybe' },
      SECRET,
    );
    expect(reading).toMatchObject({ ok: false, reason: 'malformed' });
    const message = reading.ok ? '' : reading.message;
    for (const expected of [
      'status must be -1, 0, 1 or 2',
      'addr is not a bitcoin address',
      'value must be a whole number of satoshis',
      'txid must be 64 hexadecimal characters',
      'rbf must be 0 or 1',
    ]) {
      expect(message).toContain(expected);
    }
  });

  it('refuses missing and repeated parameters, and impossible amounts', () => {
    const { value: _value, ...withoutValue } = good;
    expect(readBlockonomicsCallback(withoutValue, SECRET)).toMatchObject({
      ok: false,
      message: expect.stringContaining('value is required, once'),
    });
    expect(readBlockonomicsCallback({ ...good, txid: [TXID, TXID] }, SECRET)).toMatchObject({
      ok: false,
      message: expect.stringContaining('txid is required, once'),
    });
    expect(readBlockonomicsCallback({ ...good, value: '2100000000000001' }, SECRET)).toMatchObject({
      ok: false,
      message: expect.stringContaining('more satoshis than exist'),
    });
    expect(readBlockonomicsCallback({ ...good, value: '-5' }, SECRET)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('works on the query a real GET from the fake Blockonomics carries', async () => {
    const fake = await startFakeBlockonomics();
    const readings: unknown[] = [];
    const store = createServer((req, res) => {
      const query = Object.fromEntries(new URL(req.url ?? '/', 'http://store').searchParams);
      const reading = readBlockonomicsCallback(query, SECRET);
      readings.push(reading);
      res.writeHead(reading.ok ? 200 : reading.reason === 'bad_secret' ? 401 : 400).end(reading.ok ? 'OK' : reading.message);
    });
    await new Promise<void>((resolve) => store.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(store.address() as AddressInfo).port}/webhooks/blockonomics`;
      const txid = randomTxid();
      expect(await fake.fireCallback(url, { secret: SECRET, addr: ADDR, status: 0, value: 1234, txid, rbf: true })).toEqual({
        status: 200,
        body: 'OK',
      });
      expect(await fake.fireCallback(url, { secret: 'wrong', addr: ADDR, status: 2, value: 1234, txid })).toMatchObject({ status: 401 });
      expect(readings[0]).toEqual({ ok: true, callback: { status: 0, address: ADDR, satoshis: 1234, txid, rbf: true } });
    } finally {
      store.closeAllConnections();
      await new Promise((resolve) => store.close(resolve));
      await fake.close();
    }
  });
});

describe('BLOCKONOMICS_CONFIRMATIONS', () => {
  it('defaults to 2 and accepts only what Blockonomics can report', () => {
    expect(confirmationsSetting.parse(undefined)).toBe(2);
    expect(confirmationsSetting.parse('0')).toBe(0);
    expect(confirmationsSetting.parse('1')).toBe(1);
    for (const bad of ['3', '6', '', '-1', 'two']) {
      const parsed = confirmationsSetting.safeParse(bad);
      expect(parsed.success, bad).toBe(false);
      expect(parsed.error?.issues[0]?.message).toContain('at most status 2');
    }
  });

  it('maps the setting onto the callback status, and refuses unconfirmed replace-by-fee', () => {
    const table = ([-1, 0, 1, 2] as const).map((status) => [0, 1, 2].map((setting) => creditsAt(setting as 0 | 1 | 2, status, false)));
    expect(table).toEqual([
      [false, false, false], // -1: just broadcast, never
      [true, false, false], // 0: in the mempool
      [true, true, false], // 1: one confirmation
      [true, true, true], // 2: two or more
    ]);
    expect(creditsAt(0, 0, true)).toBe(false);
    expect(creditsAt(0, 1, true)).toBe(true);
  });
});
