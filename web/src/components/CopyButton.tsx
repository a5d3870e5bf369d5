import { useEffect, useState } from 'react';
import { t } from '../i18n/index.ts';
import { copyText } from '../lib/clipboard.ts';
import { announce } from './Announcer.tsx';
import { Icon } from './Icon.tsx';

/**
 * Copies `text`; says so on the button for two seconds and to screen readers. `shortLabel` is shown
 * where space is tight; the accessible name stays the full `label`, which contains it.
 */
export function CopyButton({
  text,
  label,
  shortLabel,
  className = '',
}: {
  text: string;
  label: string;
  shortLabel?: string;
  className?: string;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = window.setTimeout(() => setState('idle'), 2000);
    return () => window.clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    const ok = await copyText(text);
    setState(ok ? 'copied' : 'failed');
    announce(ok ? t.common.copied : t.common.copyFailed);
  };
  return (
    <button
      type="button"
      className={`button button--secondary copy ${className}`}
      onClick={copy}
      data-state={state}
      aria-label={shortLabel && state === 'idle' ? label : undefined}
    >
      <Icon name={state === 'copied' ? 'check' : 'copy'} />
      <span>{state === 'copied' ? t.common.copied : (shortLabel ?? label)}</span>
    </button>
  );
}
