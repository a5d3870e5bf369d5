import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractCode } from '../extract-code.ts';

// Published messages (see test/data/README.md); a measure, not a specification: the extractor must
// stay general, so a miss here is fixed by a rule that holds for unseen messages too. Round 1's and
// round 2's holdouts have been read and are tuning material now (otp-tuning-2, otp-tuning-3). The
// holdouts (otp-holdout-4 to -9: halves of the corpora gathered blind in rounds 3, 4, 6, 7, 8 and 9
// from sources no earlier file used, the other halves being otp-tuning-4 to -9; otp-holdout-10 and -12 are
// rounds 10's and 12's whole corpora; otp-holdout-11 is half of round 11's)
// are never read to decide a rule; their thresholds guard against regressions, and their misses are reported by
// line number only, so that reading them is a deliberate act.
// Round 6's corpus is more than half one dataset of Thai SMS: its figures are read per source too.
const THAI_DATASET = { label: 'Thai dataset', source: 'github.com/ssivakorn/Thai-SMS-spam-filter' };
// Round 7's corpus is three SMS datasets of about a third each; SPAM-Hunter (OCR'd, multilingual) is the
// one whose promotions and prize scams the others lack, so its lines are read apart.
const SPAM_HUNTER = { label: 'SPAM-Hunter', source: 'SPAM-Hunter' };

const CORPORA: ReadonlyArray<{
  file: string;
  size: number;
  minAccuracy: number;
  showMisses: boolean;
  /** Report the lines whose `source` contains `source` apart from every other line. */
  bySource?: { label: string; source: string };
}> = [
  { file: 'otp-dev.jsonl', size: 146, minAccuracy: 0.99, showMisses: true },
  { file: 'otp-tuning.jsonl', size: 243, minAccuracy: 0.99, showMisses: true },
  { file: 'otp-tuning-2.jsonl', size: 205, minAccuracy: 0.99, showMisses: true },
  { file: 'otp-tuning-3.jsonl', size: 232, minAccuracy: 0.99, showMisses: true },
  { file: 'otp-tuning-4.jsonl', size: 175, minAccuracy: 0.99, showMisses: true },
  { file: 'otp-holdout-4.jsonl', size: 176, minAccuracy: 0.97, showMisses: false },
  { file: 'otp-tuning-5.jsonl', size: 154, minAccuracy: 0.98, showMisses: true },
  { file: 'otp-holdout-5.jsonl', size: 156, minAccuracy: 0.98, showMisses: false },
  { file: 'otp-tuning-6.jsonl', size: 151, minAccuracy: 0.99, showMisses: true, bySource: THAI_DATASET },
  { file: 'otp-holdout-6.jsonl', size: 154, minAccuracy: 0.96, showMisses: false, bySource: THAI_DATASET },
  { file: 'otp-tuning-7.jsonl', size: 65, minAccuracy: 0.95, showMisses: true, bySource: SPAM_HUNTER },
  { file: 'otp-holdout-7.jsonl', size: 67, minAccuracy: 0.83, showMisses: false, bySource: SPAM_HUNTER },
  { file: 'otp-tuning-8.jsonl', size: 6, minAccuracy: 0.99, showMisses: true },
  { file: 'otp-holdout-8.jsonl', size: 8, minAccuracy: 0.99, showMisses: false },
  { file: 'otp-tuning-9.jsonl', size: 139, minAccuracy: 0.99, showMisses: true },
  { file: 'otp-holdout-9.jsonl', size: 141, minAccuracy: 0.97, showMisses: false },
  // Round 10: 24 lines, too few to halve; all of it is a holdout, measured once.
  { file: 'otp-holdout-10.jsonl', size: 24, minAccuracy: 0.87, showMisses: false },
  // Round 11: gathered blind and split before any rule; one rule was drawn later from the tuning half (the
  // naming verb, test/data/README.md), none from the holdout.
  { file: 'otp-tuning-11.jsonl', size: 39, minAccuracy: 0.97, showMisses: true },
  { file: 'otp-holdout-11.jsonl', size: 43, minAccuracy: 0.93, showMisses: false },
  // Round 12: 36 lines, too few to halve; all of it is a holdout, measured once.
  { file: 'otp-holdout-12.jsonl', size: 36, minAccuracy: 0.97, showMisses: false },
] as const;

interface Example {
  text: string;
  code: string | null;
  lang: string;
  source: string;
}

function corpusPath(file: string): string {
  return fileURLToPath(new URL(`../../../../test/data/${file}`, import.meta.url));
}

function readCorpus(file: string): Example[] {
  return readFileSync(corpusPath(file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const row: unknown = JSON.parse(line);
      if (!isExample(row)) throw new Error(`${file}:${i + 1}: not {text, code, lang, source}`);
      return row;
    });
}

function isExample(row: unknown): row is Example {
  if (typeof row !== 'object' || row === null) return false;
  const { text, code, lang, source } = row as Record<string, unknown>;
  return (
    typeof text === 'string' &&
    (typeof code === 'string' || code === null) &&
    typeof lang === 'string' &&
    typeof source === 'string' &&
    source !== ''
  );
}

// The categories of issue 14, so a weakness in one shows even when the total looks fine.
const COMMON_LANGUAGES = new Set(['en', 'zh', 'es', 'fr', 'de', 'ru', 'pt', 'ja']);
function category(example: Example): string {
  const { code, lang } = example;
  if (code === null) return 'no code';
  if (/[A-Z]/.test(code)) return 'capitals';
  if (/[a-z]/.test(code)) return 'lower case';
  return COMMON_LANGUAGES.has(lang) ? 'digits' : 'digits, rarer language';
}

/** "Thai dataset 120/163, other sources 130/142": one source's lines against all the others. */
function sourceTallies(results: Array<{ example: Example; got: string | null }>, group: { label: string; source: string }): string {
  const tally = (rows: typeof results) => `${rows.filter(({ example, got }) => got === example.code).length}/${rows.length}`;
  const inGroup = results.filter(({ example }) => example.source.includes(group.source));
  const others = results.filter(({ example }) => !example.source.includes(group.source));
  return `${group.label} ${tally(inGroup)}, other sources ${tally(others)}`;
}

/** Messages that differ only in their digits are one message twice. */
function skeleton(text: string): string {
  return text
    .toLowerCase()
    .replace(/[0-9]+/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('extractCode on the measurement corpora', () => {
  for (const { file, size, minAccuracy, showMisses, bySource } of CORPORA) {
    it(`${file}: matches at least ${minAccuracy * 100}% of the expected codes exactly`, () => {
      const examples = readCorpus(file);
      expect(examples).toHaveLength(size);
      const results = examples.map((example, i) => ({ line: i + 1, example, got: extractCode(example.text) }));
      const misses = results.filter(({ example, got }) => got !== example.code);
      const accuracy = (examples.length - misses.length) / examples.length;
      const byCategory = new Map<string, { right: number; all: number }>();
      for (const { example, got } of results) {
        const tally = byCategory.get(category(example)) ?? { right: 0, all: 0 };
        tally.all++;
        if (got === example.code) tally.right++;
        byCategory.set(category(example), tally);
      }
      const categories = [...byCategory].map(([name, { right, all }]) => `${name} ${right}/${all}`).join(', ');
      const sources = bySource ? ` — ${sourceTallies(results, bySource)}` : '';
      const report = [
        `${file}: ${examples.length - misses.length}/${examples.length} exact (${(accuracy * 100).toFixed(1)}%) — ${categories}${sources}`,
        ...(showMisses
          ? misses.map(
              ({ line, example, got }) =>
                `  line ${line} [${example.lang}] expected ${JSON.stringify(example.code)}, got ${JSON.stringify(got)}: ${JSON.stringify(example.text)}`,
            )
          : misses.length > 0
            ? [`  missed lines: ${misses.map(({ line }) => line).join(', ')}`]
            : []),
      ];
      process.stdout.write(`${report.join('\n')}\n`);
      expect(accuracy, report.join('\n')).toBeGreaterThanOrEqual(minAccuracy);
    });
  }

  it('keeps the corpora apart: no message is in two of them, not even with other digits', () => {
    const owner = new Map<string, string>();
    const shared: string[] = [];
    for (const { file } of CORPORA) {
      for (const example of readCorpus(file)) {
        const key = skeleton(example.text);
        const first = owner.get(key);
        if (first !== undefined && first !== file) shared.push(`${first} and ${file}: ${JSON.stringify(example.text)}`);
        owner.set(key, first ?? file);
      }
    }
    expect(shared).toEqual([]);
  });
});
