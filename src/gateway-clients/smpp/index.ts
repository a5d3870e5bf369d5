/** The SMPP channel (issue 20): a receiver link to an aggregator's SMSC, and how its messages are read. */
export { type DefaultAlphabet, decodeText } from './decode.ts';
export { SmppLink, type SmppLinkDeps, type SmppLinkStats, statusName } from './link.ts';
