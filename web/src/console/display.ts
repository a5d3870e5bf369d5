// How the console writes numbers, moments and durations (en, UTC: staff in different places read the
// same figures the same way, and the server's buckets are UTC hours and days).

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  timeZoneName: 'short',
});
const day = new Intl.DateTimeFormat('en-GB', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const hour = new Intl.DateTimeFormat('en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

export const count = (value: number): string => integer.format(value);
export const share = (value: number): string => percent.format(value);
export const moment = (iso: string): string => dateTime.format(new Date(iso));
/** A bucket's start: the day, or the day and hour (UTC). */
export const bucket = (iso: string, granularity: 'hour' | 'day'): string => (granularity === 'day' ? day : hour).format(new Date(iso));
/** An amount in a currency's minor unit (2 decimals for the currencies payments use), with its code. */
export const minor = (amount: number, currency: string): string => `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
/** Micro-units (provider balances and costs) in the currency's unit. */
export const micros = (amount: number, currency: string): string =>
  `${(amount / 1_000_000).toLocaleString('en', { maximumFractionDigits: 2 })} ${currency.toUpperCase()}`;

/** A duration in milliseconds, in the largest units that say it: `850 ms`, `4.2 s`, `3 min 5 s`, `2 h 10 min`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min${seconds % 60 ? ` ${seconds % 60} s` : ''}`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  const hours = Math.round(minutes / 60);
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}
