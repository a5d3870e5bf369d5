// Latin-1 output for the server bundle (scripts/build.mjs). V8 stores a script's source as a one-byte
// string when every character is at most U+00FF, and as a two-byte string otherwise: one "…" in a
// comment doubles the memory the whole bundle's source takes, for the life of the process (4.4 MB
// more on a 4.4 MB bundle). esbuild already escapes what it prints in strings, templates and
// identifiers; what it copies as written are comments it keeps in expressions and regular expression
// literals. Those two are escaped here as \uXXXX (inert in a comment, the same pattern in a regular
// expression, with or without the u flag: a surrogate pair written as two escapes is one code point).
// Any other character above U+00FF fails the build, naming where it is, rather than being guessed at.
// The escapes lengthen their own lines only, so the source map is off by a few columns on those lines.
import { parse } from 'acorn';

const WIDE = /[\u0100-\uffff]/;

/** `code` with every character above U+00FF in a comment or a regular expression literal escaped. */
export function toLatin1(code, name = 'the bundle') {
  if (!WIDE.test(code)) return code;
  /** [start, end) of the comments and regular expression literals, where an escape means the same. */
  const spans = [];
  parse(code, {
    ecmaVersion: 'latest',
    sourceType: 'module',
    onComment: (_block, _text, start, end) => spans.push([start, end]),
    onToken: (token) => {
      if (token.type.label === 'regexp') spans.push([token.start, token.end]);
    },
  });
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let copied = 0;
  let span = 0;
  for (let i = 0; i < code.length; i++) {
    if (code.charCodeAt(i) <= 0xff) continue;
    while (span < spans.length && spans[span][1] <= i) span++;
    if (span === spans.length || spans[span][0] > i) {
      const line = code.slice(0, i).split('\n').length;
      throw new Error(
        `${name}, line ${line}: the character U+${code.charCodeAt(i).toString(16).toUpperCase()} is neither in a comment nor in a regular expression; esbuild printed it as written (scripts/one-byte-source.mjs)`,
      );
    }
    out += `${code.slice(copied, i)}\\u${code.charCodeAt(i).toString(16).padStart(4, '0')}`;
    copied = i + 1;
  }
  return out + code.slice(copied);
}
