import { useId, useState } from 'react';
import { t } from '../i18n/index.ts';
import { ApiError, api } from '../lib/api.ts';
import { formatCount } from '../lib/format.ts';
import { useMounted } from '../lib/hooks.ts';
import { demoCreditsRefused, useSandbox } from '../lib/sandbox.ts';
import type { Balances } from '../lib/types.ts';
import { useMe, useSession } from '../state/session.tsx';
import { ErrorNotice, Notice } from './Notice.tsx';

/** What one click adds (less when the account is near the cap). */
const DEMO_AMOUNT = 500;

/**
 * The sandbox's free demo credits, clearly labelled as such and kept apart from credits: they pay for
 * sandbox numbers only, up to the cap the server sets per account. Shown only while the sandbox sells.
 */
export function DemoTopUp({ compact = false }: { compact?: boolean }) {
  const { sells, demoCredits } = useSandbox();
  const me = useMe();
  const titleId = useId();
  const { setBalance } = useSession();
  const mounted = useMounted();
  const [busy, setBusy] = useState(false);
  const [added, setAdded] = useState<number>();
  const [error, setError] = useState<unknown>();

  if (!sells || demoCredits.cap === 0) return error ? <ErrorNotice error={error} /> : null;
  const held = me.balance.demo.available + me.balance.demo.held;
  const amount = Math.min(DEMO_AMOUNT, demoCredits.cap - held);

  const add = async () => {
    setBusy(true);
    setError(undefined);
    setAdded(undefined);
    try {
      const balance = await api<Balances>('/sandbox/credits', { method: 'POST', body: { amount } });
      setBalance({ available: balance.available, held: balance.held, demo: balance.demo });
      if (mounted()) setAdded(amount);
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
      {compact ? null : <p>{t.balance.demoText(formatCount(demoCredits.cap))}</p>}
      {amount > 0 ? (
        <button type="button" className="button button--secondary" onClick={add} disabled={busy}>
          {busy ? t.balance.demoAdding : t.balance.demoButton(formatCount(amount))}
        </button>
      ) : (
        <p className="muted">{t.balance.demoFull(formatCount(demoCredits.cap))}</p>
      )}
      {added !== undefined ? <Notice kind="success">{t.balance.demoAdded(formatCount(added))}</Notice> : null}
      {error ? <ErrorNotice error={error} /> : null}
    </section>
  );
}
