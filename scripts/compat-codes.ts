// Writes docs/compat/sms-activate-codes.md from the code tables (see src/http/compat/sms-activate/codes-doc.ts).
import { writeFileSync } from 'node:fs';
import { smsActivateCodesMarkdown } from '../src/http/compat/sms-activate/codes-doc.ts';

writeFileSync(new URL('../docs/compat/sms-activate-codes.md', import.meta.url), smsActivateCodesMarkdown());
