/** The forms of a word for each plural category a language uses; `other` is the one every language has. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

/**
 * Picks the form of a word for a count by the CLDR plural rules of `language` (Intl.PluralRules):
 * English has "one" and "other", Polish adds "few" and "many", Japanese has "other" only. A language
 * file lists the forms its language uses.
 */
export function pluralsOf(language: string): (count: number, forms: PluralForms) => string {
  const rules = new Intl.PluralRules(language);
  return (count, forms) => forms[rules.select(count)] ?? forms.other;
}
