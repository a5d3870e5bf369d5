import { LANGUAGE, LOCALE, t } from '../i18n/index.ts';

const integer = new Intl.NumberFormat(LANGUAGE);

export const formatCount = (value: number): string => integer.format(value);

/** "1 credit", "1,250 credits". */
export const formatCredits = (value: number): string => t.common.credits(integer.format(value), Math.abs(value));

/** A signed change: "+500", "−17" (a real minus sign, read as "minus" by screen readers). */
export function formatSigned(value: number): string {
  if (value > 0) return `+${integer.format(value)}`;
  if (value < 0) return `\u2212${integer.format(-value)}`;
  return '0';
}

// Dates in the app's language (not the browser's, or the page would mix two languages), in the
// reader's regional variant of it and time zone.
const dateTime = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'long' });

export const formatDateTime = (iso: string): string => dateTime.format(new Date(iso));

/** A policy date (YYYY-MM-DD, a calendar day): shown as that day wherever the reader is. */
export function formatDay(isoDay: string): string {
  const [year, month, day] = isoDay.slice(0, 10).split('-').map(Number);
  if (!year || !month || !day) return isoDay;
  return dateOnly.format(new Date(year, month - 1, day));
}

/** "4:05", "1:02:03": a countdown. */
export function formatClock(totalSeconds: number): string {
  const seconds = Math.max(0, Math.ceil(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

// Units in words, singular or plural as the language's rules say ("1 minute", "2 minutes").
const minutes = new Intl.NumberFormat(LANGUAGE, { style: 'unit', unit: 'minute', unitDisplay: 'long' });
const seconds = new Intl.NumberFormat(LANGUAGE, { style: 'unit', unit: 'second', unitDisplay: 'long' });

/** "2 minutes", "45 seconds", "1 minute 30 seconds": a duration in words. */
export function formatDuration(totalSeconds: number): string {
  const whole = Math.max(0, Math.round(totalSeconds));
  const m = Math.floor(whole / 60);
  const s = whole % 60;
  const parts: string[] = [];
  if (m > 0) parts.push(minutes.format(m));
  if (s > 0 || m === 0) parts.push(seconds.format(s));
  return parts.join(' ');
}

/** The number without its country calling code, for forms that ask for the code separately: "+62 812…" → "812…". */
export function nationalNumber(phone: string, dialCode: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.startsWith(dialCode) ? digits.slice(dialCode.length) : digits;
}

type PhoneFormatter = (phone: string) => string;
let phoneFormatter: Promise<PhoneFormatter> | undefined;
let loadedFormatter: PhoneFormatter | undefined;

/**
 * The number the way its country writes it internationally ("+62 812 3456 7890"). The formatting
 * rules (libphonenumber's metadata: a 120 KB chunk, 29 KB compressed) load on first use, outside the
 * initial bundle; the buy page asks for them ahead, so the order's number is formatted from its first paint.
 */
export function loadPhoneFormatter(): Promise<PhoneFormatter> {
  phoneFormatter ??= import('libphonenumber-js/min')
    .then(({ parsePhoneNumberFromString }) => {
      loadedFormatter = (phone: string) => parsePhoneNumberFromString(phone)?.formatInternational() ?? phone;
      return loadedFormatter;
    })
    .catch(() => {
      phoneFormatter = undefined;
      return (phone: string) => phone;
    });
  return phoneFormatter;
}

/** The formatted number right now if the rules have loaded, else undefined (no flash of the raw form). */
export function formatPhoneIfLoaded(phone: string): string | undefined {
  return loadedFormatter?.(phone);
}
