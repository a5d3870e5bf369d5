import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { smsActivateCodesMarkdown } from '../codes-doc.ts';

it('docs/compat/sms-activate-codes.md is generated from the current tables (npx tsx scripts/compat-codes.ts)', () => {
  const file = readFileSync(new URL('../../../../../docs/compat/sms-activate-codes.md', import.meta.url), 'utf8');
  expect(file).toBe(smsActivateCodesMarkdown());
  expect(file).toContain('| 187 | US | USA |');
  expect(file).toContain('| `tg` | Telegram |');
});
