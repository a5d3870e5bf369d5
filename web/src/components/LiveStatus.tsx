import { t } from '../i18n/index.ts';
import type { LiveState } from '../lib/sse.ts';

/** Whether what the page shows is live (the event stream is open), or being re-read while it reconnects. */
export function LiveStatus({ live, openText = t.orders.live.open }: { live: LiveState; openText?: string }) {
  const text = live === 'open' ? openText : live === 'retrying' || live === 'stopped' ? t.orders.live.retrying : t.orders.live.connecting;
  return (
    <p className={`live live--${live}`} data-live={live}>
      <span className="live__dot" aria-hidden="true" />
      {text}
    </p>
  );
}
