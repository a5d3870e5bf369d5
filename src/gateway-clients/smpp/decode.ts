/**
 * SMPP 3.4 message text, from raw bytes (pure: no I/O, no library). The link hands over the bytes of
 * `short_message` or of the `message_payload` TLV untouched (library.ts), so that a concatenated
 * message is joined as bytes and decoded once: a UCS-2 surrogate pair or a GSM escape split across
 * two parts survives.
 *
 * `data_coding` (SMPP 3.4 §5.2.19, and GSM 03.38 §4 for the values above 0x0F, which a low-nibble mask
 * misreads — node-smpp#66):
 * - 0x00 the SMSC default alphabet: GSM 03.38 (unpacked, one septet per octet) or Latin-1, per link;
 * - 0x01 IA5 (ASCII); 0x03 Latin-1; 0x08 UCS-2, read as UTF-16BE (so pairs give emoji);
 * - 0x02 and 0x04 8-bit data: read as Latin-1, so that the digits of a code mislabelled as data still
 *   arrive; 0x06 ISO-8859-5, 0x07 ISO-8859-8, 0x05 / 0x0A / 0x0E the Japanese and Korean sets;
 * - GSM DCS groups: 0x10–0x7F by their alphabet bits, 0xC0–0xDF GSM, 0xE0–0xEF UCS-2, 0xF0–0xFF GSM
 *   or 8-bit by bit 2.
 * Packed 7-bit text (some SMSCs, node-smpp#82) and the national language shift tables are not read.
 */

export type DefaultAlphabet = 'gsm' | 'latin1';

type Alphabet = 'gsm' | 'latin1' | 'ascii' | 'ucs2' | { decoder: string };

/** GSM 03.38 default alphabet, indexed by septet (0x1B is the escape to the extension table). */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** GSM 03.38 extension table (after 0x1B). */
const GSM_EXTENSION: ReadonlyMap<number, string> = new Map([
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
]);

export function decodeGsm7(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const septet = (bytes[i] ?? 0) & 0x7f;
    if (septet !== 0x1b) {
      text += GSM_BASIC[septet];
      continue;
    }
    if (i + 1 >= bytes.length) break; // an escape with nothing after it: nothing to show
    const next = (bytes[++i] ?? 0) & 0x7f;
    // 23.038: an extension code we do not know is shown as its default-table character; 0x1B 0x1B
    // (a further extension table) as a space.
    text += GSM_EXTENSION.get(next) ?? (next === 0x1b ? ' ' : GSM_BASIC[next]);
  }
  return text;
}

function alphabetOf(dataCoding: number, defaultAlphabet: DefaultAlphabet): Alphabet {
  const dcs = dataCoding & 0xff;
  switch (dcs) {
    case 0x00:
      return defaultAlphabet;
    case 0x01:
      return 'ascii';
    case 0x02:
    case 0x03:
    case 0x04:
      return 'latin1';
    case 0x05:
      return { decoder: 'shift_jis' };
    case 0x06:
      return { decoder: 'iso-8859-5' };
    case 0x07:
      return { decoder: 'iso-8859-8' };
    case 0x08:
      return 'ucs2';
    case 0x0a:
      return { decoder: 'iso-2022-jp' };
    case 0x0d:
      return { decoder: 'euc-jp' };
    case 0x0e:
      return { decoder: 'euc-kr' };
  }
  if (dcs < 0x10) return 'latin1'; // 0x09 pictogram, 0x0B–0x0C reserved: the bytes as Latin-1
  if (dcs < 0x80) {
    // General data coding (0x00–0x3F) and automatic deletion (0x40–0x7F): bits 3–2 name the alphabet.
    const bits = (dcs >> 2) & 0x03;
    return bits === 1 ? 'latin1' : bits === 2 ? 'ucs2' : 'gsm';
  }
  if (dcs < 0xc0) return 'gsm'; // reserved groups: 23.038 says read them as the default alphabet
  if (dcs < 0xe0) return 'gsm'; // message waiting, discard / store: GSM 7-bit
  if (dcs < 0xf0) return 'ucs2'; // message waiting, store: UCS-2
  return dcs & 0x04 ? 'latin1' : 'gsm'; // data coding / message class
}

/** The text of a message's bytes (user data only: the UDH already removed). Never throws. */
export function decodeText(bytes: Uint8Array, dataCoding: number, defaultAlphabet: DefaultAlphabet = 'gsm'): string {
  const alphabet = alphabetOf(dataCoding, defaultAlphabet);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (alphabet === 'gsm') return decodeGsm7(bytes);
  if (alphabet === 'latin1') return buffer.toString('latin1');
  if (alphabet === 'ascii') return buffer.toString('latin1').replace(/[\u0080-\u00ff]/g, '\ufffd');
  if (alphabet === 'ucs2') return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder(alphabet.decoder).decode(bytes);
  } catch {
    return buffer.toString('latin1'); // a Node built without that decoder (small-icu)
  }
}

/** Where a part sits in a concatenated message. */
export interface Concatenation {
  ref: number;
  total: number;
  /** 1-based. */
  seq: number;
}

export interface UserData {
  /** The message bytes without the UDH. */
  body: Uint8Array;
  /** From the UDH's IEI 0x00 (8-bit reference) or 0x08 (16-bit reference). */
  concatenation?: Concatenation;
}

/**
 * Split the user data header off (esm_class UDHI set): the first octet is the header's length, then
 * information elements (IEI, length, data). Null when the header does not fit in the bytes.
 */
export function splitUdh(bytes: Uint8Array): UserData | null {
  if (bytes.length === 0) return null;
  const headerLength = bytes[0] ?? 0;
  if (headerLength + 1 > bytes.length) return null;
  let concatenation: Concatenation | undefined;
  let at = 1;
  while (at < headerLength + 1) {
    const iei = bytes[at];
    const length = bytes[at + 1];
    if (iei === undefined || length === undefined || at + 2 + length > headerLength + 1) return null;
    const data = bytes.subarray(at + 2, at + 2 + length);
    if (iei === 0x00 && length === 3) {
      concatenation = { ref: data[0] ?? 0, total: data[1] ?? 0, seq: data[2] ?? 0 };
    } else if (iei === 0x08 && length === 4) {
      concatenation = { ref: ((data[0] ?? 0) << 8) | (data[1] ?? 0), total: data[2] ?? 0, seq: data[3] ?? 0 };
    }
    at += 2 + length;
  }
  const body = bytes.subarray(headerLength + 1);
  return concatenation && isValidConcatenation(concatenation) ? { body, concatenation } : { body };
}

/** 23.040: total and seq are 1..255, seq ≤ total; a header breaking that is read as a single message. */
export function isValidConcatenation({ total, seq }: Concatenation): boolean {
  return total >= 1 && seq >= 1 && seq <= total;
}

/** The fields of a `deliver_sm` / `data_sm` this module reads (as the library parsed them, bytes raw). */
export interface DeliverFields {
  [field: string]: unknown;
  source_addr?: unknown;
  destination_addr?: unknown;
  dest_addr_ton?: unknown;
  esm_class?: unknown;
  data_coding?: unknown;
  short_message?: unknown;
  message_payload?: unknown;
  sar_msg_ref_num?: unknown;
  sar_total_segments?: unknown;
  sar_segment_seqnum?: unknown;
}

/** One received PDU, read. */
export type ReadPdu =
  | { kind: 'receipt' }
  | { kind: 'unreadable'; reason: string }
  | {
      kind: 'part';
      source: string;
      /** E.164 `+digits` when the address is numeric and not national; as sent otherwise. */
      destination: string;
      dataCoding: number;
      body: Uint8Array;
      concatenation?: Concatenation;
    };

const ESM_MESSAGE_TYPE = 0x3c;
const ESM_UDHI = 0x40;
const TON_NATIONAL = 0x02;
const TON_SUBSCRIBER = 0x04;
const TON_ABBREVIATED = 0x06;

export function readDeliver(pdu: DeliverFields): ReadPdu {
  const esmClass = typeof pdu.esm_class === 'number' ? pdu.esm_class : 0;
  // Message type bits 5–2: 0 is a short message; 0x04 a delivery receipt, 0x08–0x20 acknowledgements
  // and notifications. None of them is an SMS to a number.
  if ((esmClass & ESM_MESSAGE_TYPE) !== 0) return { kind: 'receipt' };
  const short = asBytes(pdu.short_message);
  const payload = asBytes(pdu.message_payload);
  const bytes = short && short.length > 0 ? short : payload;
  if (!bytes) return { kind: 'unreadable', reason: 'neither short_message nor message_payload holds bytes' };
  const source = typeof pdu.source_addr === 'string' ? pdu.source_addr : '';
  const destinationAddr = typeof pdu.destination_addr === 'string' ? pdu.destination_addr : '';
  if (!destinationAddr) return { kind: 'unreadable', reason: 'no destination_addr' };
  const dataCoding = typeof pdu.data_coding === 'number' ? pdu.data_coding : 0;
  const destination = normaliseAddress(destinationAddr, typeof pdu.dest_addr_ton === 'number' ? pdu.dest_addr_ton : 0);

  let body: Uint8Array = bytes;
  let concatenation: Concatenation | undefined;
  if (esmClass & ESM_UDHI) {
    const split = splitUdh(bytes);
    if (!split) return { kind: 'unreadable', reason: 'the user data header does not fit in the message' };
    body = split.body;
    concatenation = split.concatenation;
  }
  if (!concatenation) {
    const sar = { ref: pdu.sar_msg_ref_num, total: pdu.sar_total_segments, seq: pdu.sar_segment_seqnum };
    if (typeof sar.ref === 'number' && typeof sar.total === 'number' && typeof sar.seq === 'number') {
      const fromSar = { ref: sar.ref, total: sar.total, seq: sar.seq };
      if (isValidConcatenation(fromSar)) concatenation = fromSar;
    }
  }
  if (concatenation && concatenation.total === 1) concatenation = undefined;
  return concatenation
    ? { kind: 'part', source, destination, dataCoding, body, concatenation }
    : { kind: 'part', source, destination, dataCoding, body };
}

/** `+digits` for a numeric address whose type of number is not national, subscriber or abbreviated. */
export function normaliseAddress(address: string, ton: number): string {
  const digits = /^\+?(\d{1,20})$/.exec(address.trim())?.[1];
  if (!digits || ton === TON_NATIONAL || ton === TON_SUBSCRIBER || ton === TON_ABBREVIATED) return address;
  return `+${digits}`;
}

function asBytes(value: unknown): Uint8Array | null {
  return value instanceof Uint8Array ? value : null;
}
