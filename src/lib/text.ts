/**
 * Text PostgreSQL can store. It refuses NUL in `text` and `jsonb` alike (SQLSTATE 22021 / 22P05), and
 * an unpaired UTF-16 surrogate in `jsonb` (22P02); in `text` the driver would quietly turn one into
 * U+FFFD. Either would fail a statement after the request was accepted — a 500 whose log line carries
 * the statement's parameters — so text is checked where it comes in: refused from our clients (400),
 * cleaned when it comes from an upstream provider, which cannot be refused.
 */
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNPAIRED_SURROGATES = new RegExp(UNPAIRED_SURROGATE.source, 'g');
const NUL = '\u0000';

/** The words of a refusal, after the field's name. */
export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL (\\u0000) or unpaired surrogate characters';

export function isStorableText(value: string): boolean {
  return !value.includes(NUL) && !UNPAIRED_SURROGATE.test(value);
}

/** `value` made storable: NULs dropped, unpaired surrogates replaced by U+FFFD (what a UTF-8 decoder shows). */
export function storableText(value: string): string {
  const withoutNul = value.includes(NUL) ? value.replaceAll(NUL, '') : value;
  return UNPAIRED_SURROGATE.test(withoutNul) ? withoutNul.replace(UNPAIRED_SURROGATES, '\ufffd') : withoutNul;
}
