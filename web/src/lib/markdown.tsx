// The privacy policy arrives as Markdown. This renders the small part of Markdown it uses — headings,
// paragraphs, "- " lists (with indented continuation lines), **bold**, `code` and [links](url) — as
// React elements, never as HTML strings, so nothing in the text can inject markup.

import type { ReactNode } from 'react';

type Block = { kind: 'heading'; level: number; text: string } | { kind: 'paragraph'; text: string } | { kind: 'list'; items: string[] };

export function parseBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: string[] | undefined;
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', text: paragraph.join(' ') });
    paragraph = [];
    if (list) blocks.push({ kind: 'list', items: list });
    list = undefined;
  };
  for (const raw of markdown.split(/\r?\n/)) {
    const line = raw.trimEnd();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (line.trim() === '') flush();
    else if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1]?.length ?? 1, text: heading[2] ?? '' });
    } else if (item) {
      if (paragraph.length > 0) flush();
      list ??= [];
      list.push(item[1] ?? '');
    } else if (list && /^\s+/.test(line)) {
      list[list.length - 1] += ` ${line.trim()}`;
    } else {
      if (list) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return blocks;
}

const INLINE = /\*\*(.+?)\*\*|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)/g;

export function renderInline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const index = match.index ?? 0;
    if (index > last) out.push(text.slice(last, index));
    const [whole, bold, code, label, href] = match;
    if (bold !== undefined) out.push(<strong key={index}>{bold}</strong>);
    else if (code !== undefined) out.push(<code key={index}>{code}</code>);
    else if (label !== undefined && href !== undefined && /^(https?:|mailto:|\/)/.test(href)) {
      out.push(
        <a key={index} href={href} rel="noopener noreferrer">
          {label}
        </a>,
      );
    } else out.push(whole);
    last = index + whole.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Headings start at `baseLevel` (the page has its own h1). */
export function Markdown({ text, baseLevel = 2 }: { text: string; baseLevel?: number }) {
  return (
    <>
      {parseBlocks(text).map((block, index) => {
        const key = `${block.kind}-${index}`;
        if (block.kind === 'heading') {
          const level = Math.min(6, block.level - 1 + baseLevel);
          const Tag = `h${level}` as 'h2';
          return <Tag key={key}>{renderInline(block.text)}</Tag>;
        }
        if (block.kind === 'list') {
          return (
            <ul key={key}>
              {block.items.map((item, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the list is static text, never reordered
                <li key={i}>{renderInline(item)}</li>
              ))}
            </ul>
          );
        }
        return <p key={key}>{renderInline(block.text)}</p>;
      })}
    </>
  );
}
