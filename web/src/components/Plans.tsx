import { useId, useState } from 'react';
import { t } from '../i18n/index.ts';
import { ApiError, api } from '../lib/api.ts';
import { formatCredits, formatDateTime } from '../lib/format.ts';
import { useLoad, useMounted } from '../lib/hooks.ts';
import { cancelDeadline, type Plan } from '../lib/payments.ts';
import { ErrorNotice } from './Notice.tsx';

const leaveForPortal = (url: string) => window.location.assign(url);

/** When it renews, or that it will not; and the 24-hour rule with the moment it applies to (P15). */
function Renewal({ plan }: { plan: Plan }) {
  if (plan.status === 'cancelled') return <p className="muted">{t.plans.ended}</p>;
  if (!plan.currentPeriodEnd) return null;
  if (plan.cancelAtPeriodEnd) return <p>{t.plans.ends(formatDateTime(plan.currentPeriodEnd))}</p>;
  return (
    <>
      <p>
        {t.plans.nextRenewal(formatDateTime(plan.currentPeriodEnd))}.{' '}
        {t.plans.cancelBefore(formatDateTime(cancelDeadline(plan.currentPeriodEnd).toISOString()))}
      </p>
      <p className="muted small">{t.plans.rule}</p>
    </>
  );
}

/** How to cancel: the card processor's customer portal for card plans, the store for app-store plans. */
function Manage({ plan, leave }: { plan: Plan; leave: (url: string) => void }) {
  const mounted = useMounted();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  if (plan.status === 'cancelled') return null;
  if (plan.method !== 'card') {
    return (
      <>
        <p className="muted small">{t.plans.storeHow[plan.method]}</p>
        {plan.manageUrl ? (
          <p>
            <a href={plan.manageUrl} target="_blank" rel="noopener noreferrer">
              {t.plans.manageStore[plan.method]} <span className="visually-hidden">{t.common.opensInNewTab}</span>
            </a>
          </p>
        ) : null}
      </>
    );
  }
  const open = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { url } = await api<{ url: string }>(`/subscriptions/${encodeURIComponent(plan.id)}/portal`, { method: 'POST' });
      leave(url);
    } catch (caught) {
      if (mounted()) {
        setError(caught);
        setBusy(false);
      }
    }
  };
  return (
    <>
      <button type="button" className="button button--secondary" onClick={open} disabled={busy}>
        {busy ? t.plans.opening : t.plans.manageCard}
      </button>
      {error ? <ErrorNotice error={error} /> : null}
    </>
  );
}

/**
 * The plans the customer holds, when they hold any. A server without `GET /subscriptions` (404)
 * shows no section at all.
 */
export function Plans({ leave = leaveForPortal }: { leave?: (url: string) => void }) {
  const titleId = useId();
  const plans = useLoad((signal) => api<{ subscriptions: Plan[] }>('/subscriptions', { signal }), []);
  if (plans.error instanceof ApiError && plans.error.status === 404) return null;
  if (plans.error) return <ErrorNotice error={plans.error} onRetry={plans.reload} />;
  const list = plans.data?.subscriptions ?? [];
  if (list.length === 0) return null;
  return (
    <section aria-labelledby={titleId} className="plans">
      <h2 id={titleId}>{t.plans.title}</h2>
      <ul className="plans__list">
        {list.map((plan) => (
          <li key={plan.id} className="card plan">
            <h3 className="plan__title">
              {t.plans.every(formatCredits(plan.credits), plan.interval)}{' '}
              <span
                className={`badge badge--${plan.status === 'active' ? 'completed' : plan.status === 'cancelled' ? 'cancelled' : 'waiting'}`}
              >
                {t.plans.status[plan.status] ?? plan.status}
              </span>
            </h3>
            <Renewal plan={plan} />
            <Manage plan={plan} leave={leave} />
          </li>
        ))}
      </ul>
    </section>
  );
}
