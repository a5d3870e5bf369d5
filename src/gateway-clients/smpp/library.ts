import { createRequire } from 'node:module';
import type Smpp from 'smpp';

/**
 * The `smpp` package (0.5.1), made to hand over message bytes as received.
 *
 * Out of the box it decodes `short_message` of every `deliver_sm` (and the `message_payload` TLV)
 * into `{udh?, message: string}` as it parses the PDU, from `data_coding & 0x0F`: UCS-2 parts are
 * decoded one by one (a surrogate pair split across two parts becomes two U+FFFD), 0x00 and 0x01 go
 * through its GSM table, and receipts in UCS-2 become garbage (node-smpp#68). Its decoded string
 * cannot be turned back into the bytes. So the decode half of the filter on those two fields is
 * replaced by the identity (the encode half, which a test's fake SMSC uses, is kept): the link then
 * gets a Buffer and decode.ts reads it. This reaches into the library's definitions (`smpp.commands`,
 * `smpp.tlvs`, which it exports): __tests__/library-pin.test.ts pins the version it was read from.
 *
 * The change is process-wide; otpbox is the package's only user in the process, and nothing of it
 * reads a decoded `deliver_sm` or `message_payload`.
 */
export const PINNED_SMPP = '0.5.1';

// Required, not imported: the server is bundled into one file (ADR 6), where an `import` of a package
// is hoisted to the top and loaded at every start. This module is loaded only once an SMPP gateway
// exists (runtime/gateway-links.ts imports it on demand), and so, now, is the package.
const smpp = createRequire(import.meta.url)('smpp') as typeof Smpp;

const PATCHED = Symbol.for('otpbox.smpp.raw-message-bytes');

function keepRawMessageBytes(): void {
  const registry = smpp as unknown as Record<symbol, boolean>;
  if (registry[PATCHED]) return;
  const original = smpp.filters.message;
  const raw: Smpp.Filter = {
    encode(value) {
      return original.encode.call(this, value);
    },
    decode(value) {
      return value;
    },
  };
  const shortMessage = smpp.commands.deliver_sm?.params?.short_message;
  const payload = smpp.tlvs.message_payload;
  if (!shortMessage || !payload)
    throw new Error(`smpp ${PINNED_SMPP}: deliver_sm.short_message or the message_payload TLV is not where it was`);
  shortMessage.filter = raw;
  payload.filter = raw;
  registry[PATCHED] = true;
}

keepRawMessageBytes();

export { smpp };
export type SmppSession = Smpp.Session;
export type SmppPdu = Smpp.PDU;
export type SmppServer = Smpp.Server;
