import { flagEmojiSupported } from '../lib/flags.ts';

/** The country's flag, or its code in a badge where the system cannot draw flag emoji. Decorative: the name is next to it. */
export function Flag({ code, flag }: { code: string; flag?: string }) {
  if (flag && flagEmojiSupported()) {
    return (
      <span className="flag" aria-hidden="true">
        {flag}
      </span>
    );
  }
  return (
    <span className="flag flag--code" aria-hidden="true">
      {code}
    </span>
  );
}
