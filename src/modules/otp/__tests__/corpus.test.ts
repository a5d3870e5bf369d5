import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractCode } from '../extract-code.ts';

// 146 published messages (see test/data/README.md); a measure, not a specification: the extractor
// must stay general, so a miss here is fixed by a rule that holds for unseen messages too.
const CORPUS = fileURLToPath(new URL('../../../../test/data/otp-dev.jsonl', import.meta.url));
const MIN_ACCURACY = 0.98;

interface Example {
  text: string;
  code: string | null;
  lang: string;
}

function readCorpus(): Example[] {
  return readFileSync(CORPUS, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const row: unknown = JSON.parse(line);
      if (!isExample(row)) throw new Error(`${CORPUS}:${i + 1}: not {text, code, lang}`);
      return row;
    });
}

function isExample(row: unknown): row is Example {
  if (typeof row !== 'object' || row === null) return false;
  const { text, code, lang } = row as Record<string, unknown>;
  return typeof text === 'string' && (typeof code === 'string' || code === null) && typeof lang === 'string';
}

describe('extractCode on the measurement corpus', () => {
  it(`matches at least ${MIN_ACCURACY * 100}% of the expected codes exactly`, () => {
    const examples = readCorpus();
    expect(examples).toHaveLength(146);
    const misses = examples
      .map((example, i) => ({ line: i + 1, example, got: extractCode(example.text) }))
      .filter(({ example, got }) => got !== example.code);
    const accuracy = (examples.length - misses.length) / examples.length;
    const report = [
      `otp corpus: ${examples.length - misses.length}/${examples.length} exact (${(accuracy * 100).toFixed(1)}%)`,
      ...misses.map(
        ({ line, example, got }) =>
          `  line ${line} [${example.lang}] expected ${JSON.stringify(example.code)}, got ${JSON.stringify(got)}: ${JSON.stringify(example.text)}`,
      ),
    ];
    process.stdout.write(`${report.join('\n')}\n`);
    expect(accuracy, report.join('\n')).toBeGreaterThanOrEqual(MIN_ACCURACY);
  });
});
