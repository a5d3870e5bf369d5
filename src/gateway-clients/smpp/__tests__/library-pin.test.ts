import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PINNED_SMPP, smpp } from '../library.ts';

/**
 * library.ts replaces the decode half of the `smpp` package's message filter on deliver_sm's
 * short_message and on the message_payload TLV (its definitions, exported as smpp.commands and
 * smpp.tlvs), so that message bytes arrive raw. Pinned to the version that was read: on an upgrade,
 * re-read lib/defs.js (filters.message, the deliver_sm params, the TLV table) and lib/pdu.js
 * (`_filter`), then move PINNED_SMPP. 0.6.0-rc.4 was not chosen: a release candidate, with a proxy
 * protocol dependency (findhit-proxywrap) we do not need, for a connect timeout we add ourselves.
 */
const require = createRequire(import.meta.url);

const ucs2 = (text: string) => Buffer.from(text, 'utf16le').swap16();

describe("the smpp package's definitions (pinned)", () => {
  it(`are read from smpp ${PINNED_SMPP}, the installed version`, () => {
    const installed = JSON.parse(readFileSync(require.resolve('smpp/package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(PINNED_SMPP);
  });

  it('hand over the bytes of short_message and message_payload as received, half a surrogate pair included', () => {
    const half = ucs2('A😀').subarray(0, 4); // 'A' and the high surrogate only
    const sent = new smpp.PDU('deliver_sm', {
      sequence_number: 7,
      source_addr: 'Bank',
      destination_addr: '447700900123',
      data_coding: 0x08,
      short_message: half,
      message_payload: Buffer.from([0x1b]),
    });
    const parsed = new smpp.PDU(sent.toBuffer());
    expect(parsed.command).toBe('deliver_sm');
    expect(Buffer.isBuffer(parsed.short_message)).toBe(true);
    expect(parsed.short_message).toEqual(half);
    expect(parsed.message_payload).toEqual(Buffer.from([0x1b]));
    expect(parsed.source_addr).toBe('Bank');
  });

  it('still encode a string message for whoever sends one (the fake SMSC, submit_sm)', () => {
    const pdu = new smpp.PDU('submit_sm', { sequence_number: 1, destination_addr: '1', short_message: 'hi', data_coding: 0x03 });
    const parsed = new smpp.PDU(pdu.toBuffer());
    expect(parsed.short_message).toEqual({ message: 'hi' });
  });
});
