// Numbers and times in the console: the browser's locale (staff read their own), no customer strings.

const integer = new Intl.NumberFormat(undefined);
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const count = (value: number): string => integer.format(value);
export const signed = (value: number): string =>
  value > 0 ? `+${integer.format(value)}` : value < 0 ? `\u2212${integer.format(-value)}` : '0';
export const when = (iso: string | null): string => (iso ? dateTime.format(new Date(iso)) : '—');
