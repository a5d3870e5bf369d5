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

/**
 * Control characters in what a person types: C0 and C1 controls and DEL (terminal escapes such as
 * `ESC[2J`, a bell, a backspace) and the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069), which make text read in another order than it is stored. Staff read these fields in the console and may
 * paste them anywhere; none has a use in a name or a message. Tabs and line breaks are allowed in
 * prose (`isPlainProse`), not in a single line (`isPlainLine`), where Unicode's line and paragraph
 * separators (U+2028, U+2029) are line breaks too.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose.
const CONTROL_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose.
const CONTROL_IN_PROSE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export const CONTROL_IN_LINE_MESSAGE =
  'must not contain control characters (line breaks, Unicode line and paragraph separators included, escapes) or bidirectional overrides';
export const CONTROL_IN_PROSE_MESSAGE = 'must not contain control characters (other than line breaks and tabs) or bidirectional overrides';

export const isPlainLine = (value: string): boolean => !CONTROL_IN_LINE.test(value);
export const isPlainProse = (value: string): boolean => !CONTROL_IN_PROSE.test(value);
