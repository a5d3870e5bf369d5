import { useId, useState } from 'react';
import { t } from '../i18n/index.ts';
import { ApiError, api } from '../lib/api.ts';
import { formatCount } from '../lib/format.ts';
import { useMounted } from '../lib/hooks.ts';
import { demoCreditsRefused, useDemoCredits } from '../lib/sandbox.ts';
import type { Balance } from '../lib/types.ts';
import { useSession } from '../state/session.tsx';
import { ErrorNotice, Notice } from './Notice.tsx';

const DEMO_AMOUNT = 500;

/** The sandbox's free credits, clearly labelled as such; shown only where the server offers them. */
export function DemoTopUp({ compact = false }: { compact?: boolean }) {
  const available = useDemoCredits();
  const titleId = useId();
  const { setBalance } = useSession();
  const mounted = useMounted();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>();

  if (!available) return error ? <ErrorNotice error={error} /> : null;

  const add = async () => {
    setBusy(true);
    setError(undefined);
    setDone(false);
    try {
      const balance = await api<Balance>('/sandbox/credits', { method: 'POST', body: { amount: DEMO_AMOUNT } });
      setBalance({ available: balance.available, held: balance.held });
      if (mounted()) setDone(true);
    } catch (caught) {
      if (caught instanceof ApiError && (caught.status === 403 || caught.status === 404)) demoCreditsRefused();
      if (mounted()) setError(caught);
    } finally {
      if (mounted()) setBusy(false);
    }
  };

  return (
    <section className={`demo card${compact ? ' demo--compact' : ''}`} aria-labelledby={titleId}>
      <h2 id={titleId} className="demo__title">
        {t.balance.demoTitle} <span className="badge badge--sandbox">{t.common.sandbox}</span>
      </h2>
      {compact ? null : <p>{t.balance.demoText}</p>}
      <button type="button" className="button button--secondary" onClick={add} disabled={busy}>
        {busy ? t.balance.demoAdding : t.balance.demoButton(formatCount(DEMO_AMOUNT))}
      </button>
      {done ? <Notice kind="success">{t.balance.demoAdded(formatCount(DEMO_AMOUNT))}</Notice> : null}
      {error ? <ErrorNotice error={error} /> : null}
    </section>
  );
}
