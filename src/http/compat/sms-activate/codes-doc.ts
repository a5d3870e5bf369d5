import { SERVICES } from '../../../modules/catalog/index.ts';
import { SMS_ACTIVATE_COUNTRIES } from '../../../provider-clients/sms-activate/index.ts';

/**
 * docs/compat/sms-activate-codes.md, generated from the code tables (one table, not a copy): the
 * numeric country ids of the protocol and the service codes. A test keeps the file equal to this.
 */
export function smsActivateCodesMarkdown(): string {
  const lines = [
    '# SMS-Activate protocol codes',
    '',
    'Generated from `src/provider-clients/sms-activate/countries.ts` and `src/modules/catalog/services.ts`',
    '(`npx tsx scripts/compat-codes.ts`); a test fails when this file is out of date.',
    '',
    '## Countries (`country`)',
    '',
    'A virtual id is a second id for a country that has a real one: an order under it is an order in that country; lists show the real id.',
    '',
    '| id | ISO 3166 | country |',
    '| ---: | --- | --- |',
    ...SMS_ACTIVATE_COUNTRIES.map((c) => `| ${c.id} | ${c.iso} | ${c.name}${c.virtual ? ' (virtual id)' : ''} |`),
    '',
    '## Services (`service`)',
    '',
    '| code | service |',
    '| --- | --- |',
    ...SERVICES.map((s) => `| \`${s.code}\` | ${s.name.replaceAll('|', '\\|')} |`),
    '',
  ];
  return lines.join('\n');
}
