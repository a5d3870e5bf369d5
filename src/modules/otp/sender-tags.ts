// The sender's name in brackets — "【1024CODE】", "[TikTok Ads]", "…[XXX统一门户]" — is a
// signature: its digits are not the code and its words ("CODE") do not announce one.

import { mentionsKeyword } from './keywords.ts';

/** Longest bracketed text taken for a sender name; longer brackets are part of the message. */
const MAX_NAME = 24;

export function senderTagTest(text: string): (position: number) => boolean {
  const tags = senderTags(text);
  return (position) => tags.some(([start, end]) => position >= start && position < end);
}

function senderTags(text: string): Array<[number, number]> {
  const tags: Array<[number, number]> = [];
  // 【…】 marks a sender in Chinese messages; an unclosed one ("【淘宝 验证码 827110,…") is not a tag. At the
  // start or the end of the message it is a sender even when the name is a number ("【12306】", China
  // Railway); in the middle it needs a letter, since "验证码【482913】" brackets the code itself.
  const first = text.search(/\S/);
  const last = text.trimEnd().length - 1;
  for (let open = text.indexOf('【'); open >= 0; open = text.indexOf('【', open + 1)) {
    const close = text.slice(open + 1, open + 2 + MAX_NAME).indexOf('】');
    if (close < 0) continue;
    const content = text.slice(open + 1, open + 1 + close);
    const atEdge = open === first || open + close + 1 === last;
    if (atEdge ? isLabel(content) : isName(content)) tags.push([open, open + close + 2]);
  }
  // […] only at the very start or the very end, where senders sign.
  if (first >= 0 && text[first] === '[') {
    const close = text.slice(first + 1, first + 2 + MAX_NAME).indexOf(']');
    if (close >= 0 && isName(text.slice(first + 1, first + 1 + close))) tags.push([first, first + close + 2]);
  }
  if (last >= 0 && text[last] === ']') {
    const open = text.lastIndexOf('[', last);
    if (open >= 0 && last - open - 1 <= MAX_NAME && isName(text.slice(open + 1, last))) tags.push([open, last + 1]);
  }
  // "SIGNAL: Your code…", "SIGNAL：您的代码是…": a name of letters opening the message with a colon signs it,
  // unless it names the code itself ("PASSCODE: mifsuc", "OTP: 4821").
  const prefix = SENDER_PREFIX.exec(text);
  if (prefix?.[1] && !mentionsKeyword(prefix[1])) tags.push([prefix.index, prefix.index + prefix[0].length]);
  return tags;
}

/** Up to three words of ASCII letters at the very start, then a colon and more text. */
const SENDER_PREFIX = /^\s*([A-Za-z]+(?:[ .&'-][A-Za-z]+){0,2})\s*[:：](?=\s*\S)/;

/** Reads as a label, not as a sentence. */
function isLabel(content: string): boolean {
  return content !== '' && !/[\n,，。:：【[]/.test(content);
}

/** A label with a letter: not a number that happens to be in brackets. */
function isName(content: string): boolean {
  return isLabel(content) && /\p{L}/u.test(content);
}
