import { useState } from 'react';
import { flagUrl } from '../lib/flags.ts';

/**
 * A country's flag. Its text alternative is the country's name; where that name is written right
 * beside the flag, pass `decorative` so screen readers do not read it twice (the image gets alt="").
 * A flag that cannot load (a country no longer sold, offline before it was cached) shows its code.
 */
export function Flag({ code, name, decorative = false }: { code: string; name: string; decorative?: boolean }) {
  const [failed, setFailed] = useState(false);
  const url = flagUrl(code);
  if (!url || failed) {
    return (
      <span className="flag flag--code" {...(decorative ? { 'aria-hidden': true } : { role: 'img', 'aria-label': name })}>
        {code}
      </span>
    );
  }
  return (
    <img
      className="flag"
      src={url}
      alt={decorative ? '' : name}
      width={21}
      height={14}
      loading="lazy"
      decoding="async"
      onError={() => setFailed(true)}
    />
  );
}
