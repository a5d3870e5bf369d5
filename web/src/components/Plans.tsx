import { useId, useState } from 'react';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { formatCredits, formatDateTime } from '../lib/format.ts';
import { useLoad, useMounted } from '../lib/hooks.ts';
import { cancelDeadline, type PackagesAnswer } from '../lib/payments.ts';
import type { CreditPackage, PaymentSubscription } from '../lib/types.ts';
import { ErrorNotice } from './Notice.tsx';

const leaveForPortal = (url: string) => window.location.assign(url);

/** When it renews, or that it will not; and the 24-hour rule with the moment it applies to (P15). */
function Renewal({ plan }: { plan: PaymentSubscription }) {
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
function Manage({ plan, leave }: { plan: PaymentSubscription; leave: (url: string) => void }) {
  const mounted = useMounted();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  if (plan.status === 'cancelled') return null;
  if (plan.processor === 'revenuecat') {
    return (
      <>
        {plan.store && plan.manageUrl ? (
          <p>
            <a href={plan.manageUrl} className="button button--secondary" target="_blank" rel="noopener noreferrer">
              {t.plans.manageStore[plan.store]}
            </a>
          </p>
        ) : null}
        <p className="muted small">{t.plans.storeHow}</p>
      </>
    );
  }
  if (plan.processor !== 'stripe') return null;
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

function planTitle(plan: PaymentSubscription, pkg: CreditPackage | undefined): string {
  return pkg?.interval ? t.plans.every(formatCredits(pkg.credits), pkg.interval) : t.plans.named(plan.package);
}

/** The customer's plans, and the packages on sale for what each gives (a plan no longer on sale is named by its code). */
async function loadPlans(signal: AbortSignal): Promise<{ subscriptions: PaymentSubscription[]; packages: CreditPackage[] }> {
  const [{ subscriptions }, { packages }] = await Promise.all([
    api<{ subscriptions: PaymentSubscription[] }>('/subscriptions', { signal }),
    api<PackagesAnswer>('/packages', { signal }).catch(() => ({ packages: [] })),
  ]);
  return { subscriptions, packages };
}

/** The plans the customer holds, when they hold any: what each gives, when it renews, how to cancel it. */
export function Plans({ leave = leaveForPortal }: { leave?: (url: string) => void }) {
  const titleId = useId();
  const plans = useLoad(loadPlans, []);
  if (plans.error) return <ErrorNotice error={plans.error} onRetry={plans.reload} />;
  const { subscriptions, packages } = plans.data ?? { subscriptions: [], packages: [] };
  if (subscriptions.length === 0) return null;
  return (
    <section aria-labelledby={titleId} className="plans">
      <h2 id={titleId}>{t.plans.title}</h2>
      <ul className="plans__list">
        {subscriptions.map((plan) => (
          <li key={plan.id} className="card plan">
            <h3 className="plan__title">
              {planTitle(
                plan,
                packages.find((p) => p.code === plan.package),
              )}{' '}
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
