import { describe, expect, it } from 'vitest';
import { decodeGsm7, decodeText, normaliseAddress, readDeliver, splitUdh } from '../decode.ts';

const ucs2 = (text: string) => Buffer.from(text, 'utf16le').swap16();
/** GSM 03.38 septets of ASCII-range text that maps one to one (letters, digits, space, most signs). */
const gsm = (text: string) => Buffer.from(text, 'latin1');

describe('GSM 03.38 (unpacked septets)', () => {
  it('reads letters, digits and the characters that differ from ASCII', () => {
    expect(decodeGsm7(gsm('Your code is 123456'))).toBe('Your code is 123456');
    expect(decodeGsm7(Buffer.from([0x00, 0x01, 0x02, 0x03, 0x05, 0x10, 0x11, 0x24, 0x40, 0x5b, 0x5f, 0x60, 0x7f]))).toBe('@£$¥éΔ_¤¡Ä§¿à');
    expect(decodeGsm7(Buffer.from([0x0a, 0x0d]))).toBe('\n\r');
  });

  it('reads the extension table after 0x1B', () => {
    const escaped = [0x65, 0x28, 0x29, 0x3c, 0x3e, 0x3d, 0x2f, 0x14, 0x40, 0x0a].flatMap((code) => [0x1b, code]);
    expect(decodeGsm7(Buffer.from(escaped))).toBe('€{}[]~\\^|\f');
  });

  it('shows an unknown extension code as its default-table character, drops a trailing escape', () => {
    expect(decodeGsm7(Buffer.from([0x1b, 0x41, 0x42]))).toBe('AB');
    expect(decodeGsm7(Buffer.from([0x41, 0x1b]))).toBe('A');
    expect(decodeGsm7(Buffer.from([0x1b, 0x1b, 0x41]))).toBe(' A');
  });

  it('ignores the eighth bit of an octet', () => {
    expect(decodeGsm7(Buffer.from([0xc1]))).toBe('A');
  });
});

describe('decodeText by data_coding', () => {
  it('0x00 is the link default alphabet: GSM, or Latin-1 when configured', () => {
    expect(decodeText(Buffer.from([0x00, 0x1b, 0x65]), 0x00)).toBe('@€');
    expect(decodeText(Buffer.from('café 1234', 'latin1'), 0x00, 'latin1')).toBe('café 1234');
  });

  it('0x01 IA5/ASCII, 0x03 Latin-1, 0x08 UCS-2 as UTF-16BE with surrogate pairs', () => {
    expect(decodeText(Buffer.from('code: 42 @ home'), 0x01)).toBe('code: 42 @ home');
    expect(decodeText(Buffer.from([0x41, 0xe9]), 0x01)).toBe('A\ufffd');
    expect(decodeText(Buffer.from('Código: 998877 ñ', 'latin1'), 0x03)).toBe('Código: 998877 ñ');
    expect(decodeText(ucs2('Код 5521 😀 验证码'), 0x08)).toBe('Код 5521 😀 验证码');
  });

  it('8-bit data is read as Latin-1 so that a mislabelled code still arrives', () => {
    expect(decodeText(Buffer.from('123456'), 0x04)).toBe('123456');
    expect(decodeText(Buffer.from('123456'), 0x02)).toBe('123456');
  });

  it('reads the GSM DCS groups by their alphabet bits, not by the low nibble (node-smpp#66)', () => {
    expect(decodeText(Buffer.from([0x1b, 0x65]), 0xf0)).toBe('€'); // class 0, GSM
    expect(decodeText(Buffer.from([0x1b, 0x65]), 0xf1)).toBe('€'); // class 1, GSM
    expect(decodeText(Buffer.from('abc'), 0xf4)).toBe('abc'); // class 0, 8-bit
    expect(decodeText(ucs2('€'), 0x18)).toBe('€'); // general group, UCS-2, class meaning
    expect(decodeText(ucs2('€'), 0xe0)).toBe('€'); // message waiting, UCS-2
    expect(decodeText(Buffer.from([0x1b, 0x65]), 0xc0)).toBe('€'); // message waiting, GSM
    expect(decodeText(Buffer.from([0x1b, 0x65]), 0x11)).toBe('€'); // general group, GSM, class 1
  });

  it('reads the national sets SMPP names', () => {
    expect(decodeText(Buffer.from([0xba, 0xde, 0xd4]), 0x06)).toBe('Код');
    expect(decodeText(Buffer.from([0xe6, 0xe5]), 0x07)).toBe('זו');
  });

  it('never throws on an odd UCS-2 length', () => {
    expect(decodeText(Buffer.from([0x00, 0x41, 0x00]), 0x08)).toBe('A\ufffd');
  });

  it('joined before decoding, parts split in the middle of a surrogate pair or a GSM escape survive', () => {
    const emoji = ucs2('A😀');
    const [first, second] = [emoji.subarray(0, 4), emoji.subarray(4)];
    expect(decodeText(first, 0x08) + decodeText(second, 0x08)).not.toBe('A😀');
    expect(decodeText(Buffer.concat([first, second]), 0x08)).toBe('A😀');
    const euro = Buffer.from([0x41, 0x1b, 0x65]);
    expect(decodeText(Buffer.concat([euro.subarray(0, 2), euro.subarray(2)]), 0x00)).toBe('A€');
  });
});

describe('the user data header', () => {
  it('reads IEI 0x00 (8-bit reference) and IEI 0x08 (16-bit reference)', () => {
    expect(splitUdh(Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x03, 0x02, 0x41]))).toEqual({
      body: Buffer.from([0x41]),
      concatenation: { ref: 0x2a, total: 3, seq: 2 },
    });
    expect(splitUdh(Buffer.from([0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x01, 0x42]))).toEqual({
      body: Buffer.from([0x42]),
      concatenation: { ref: 0x1234, total: 2, seq: 1 },
    });
  });

  it('skips other information elements around it', () => {
    const udh = [0x08, 0x24, 0x01, 0x01, 0x00, 0x03, 0x07, 0x02, 0x02];
    expect(splitUdh(Buffer.from([...udh, 0x43]))).toEqual({ body: Buffer.from([0x43]), concatenation: { ref: 7, total: 2, seq: 2 } });
    expect(splitUdh(Buffer.from([0x03, 0x24, 0x01, 0x01, 0x43]))).toEqual({ body: Buffer.from([0x43]) });
  });

  it('refuses a header longer than the message, reads an impossible sequence as a single message', () => {
    expect(splitUdh(Buffer.from([0x09, 0x00, 0x03]))).toBeNull();
    expect(splitUdh(Buffer.from([0x05, 0x00, 0x04, 0x01, 0x02]))).toBeNull();
    expect(splitUdh(Buffer.from([]))).toBeNull();
    expect(splitUdh(Buffer.from([0x05, 0x00, 0x03, 0x01, 0x02, 0x03, 0x41]))).toEqual({ body: Buffer.from([0x41]) });
    expect(splitUdh(Buffer.from([0x05, 0x00, 0x03, 0x01, 0x02, 0x00, 0x41]))).toEqual({ body: Buffer.from([0x41]) });
  });
});

describe('readDeliver', () => {
  const base = { source_addr: 'Telegram', destination_addr: '447700900123', dest_addr_ton: 1, esm_class: 0, data_coding: 0 };

  it('reads a plain message, normalising a numeric destination to E.164', () => {
    expect(readDeliver({ ...base, short_message: gsm('code 1') })).toEqual({
      kind: 'part',
      source: 'Telegram',
      destination: '+447700900123',
      dataCoding: 0,
      body: gsm('code 1'),
    });
  });

  it('drops delivery receipts and other notifications by the esm_class message type', () => {
    expect(readDeliver({ ...base, esm_class: 0x04, short_message: gsm('id:1 stat:DELIVRD') })).toEqual({ kind: 'receipt' });
    expect(readDeliver({ ...base, esm_class: 0x08, short_message: gsm('x') })).toEqual({ kind: 'receipt' });
    expect(readDeliver({ ...base, esm_class: 0x20, short_message: gsm('x') })).toEqual({ kind: 'receipt' });
    expect(readDeliver({ ...base, esm_class: 0x40 | 0x04, short_message: gsm('x') })).toEqual({ kind: 'receipt' });
  });

  it('takes the message_payload TLV when short_message is empty', () => {
    const read = readDeliver({ ...base, data_coding: 8, short_message: Buffer.alloc(0), message_payload: ucs2('long 😀') });
    expect(read.kind === 'part' && decodeText(read.body, 8)).toBe('long 😀');
  });

  it('reads the UDH when UDHI is set and the SAR TLVs otherwise', () => {
    const udh = readDeliver({ ...base, esm_class: 0x40, short_message: Buffer.from([0x05, 0x00, 0x03, 0x09, 0x02, 0x01, 0x41]) });
    expect(udh).toMatchObject({ kind: 'part', concatenation: { ref: 9, total: 2, seq: 1 }, body: Buffer.from([0x41]) });
    const sar = readDeliver({ ...base, short_message: gsm('B'), sar_msg_ref_num: 300, sar_total_segments: 2, sar_segment_seqnum: 2 });
    expect(sar).toMatchObject({ kind: 'part', concatenation: { ref: 300, total: 2, seq: 2 } });
    const single = readDeliver({ ...base, short_message: gsm('C'), sar_msg_ref_num: 1, sar_total_segments: 1, sar_segment_seqnum: 1 });
    expect(single).not.toHaveProperty('concatenation');
  });

  it('refuses a PDU without bytes, without a destination or with a broken UDH', () => {
    expect(readDeliver({ ...base }).kind).toBe('unreadable');
    expect(readDeliver({ ...base, destination_addr: '', short_message: gsm('x') }).kind).toBe('unreadable');
    expect(readDeliver({ ...base, esm_class: 0x40, short_message: Buffer.from([0x07, 0x00]) }).kind).toBe('unreadable');
  });
});

describe('normaliseAddress', () => {
  it('gives +digits for an international or unknown numeric address, keeps national and alphanumeric ones', () => {
    expect(normaliseAddress('447700900123', 1)).toBe('+447700900123');
    expect(normaliseAddress('+447700900123', 0)).toBe('+447700900123');
    expect(normaliseAddress('07700900123', 2)).toBe('07700900123');
    expect(normaliseAddress('12345', 6)).toBe('12345');
    expect(normaliseAddress('INFO', 5)).toBe('INFO');
  });
});
