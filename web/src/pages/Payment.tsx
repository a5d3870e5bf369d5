import { useEffect, useRef } from 'react';
import { announce } from '../components/Announcer.tsx';
import { BitcoinPay } from '../components/BitcoinPay.tsx';
import { Icon } from '../components/Icon.tsx';
import { LiveStatus } from '../components/LiveStatus.tsx';
import { ErrorNotice, Loading, Notice } from '../components/Notice.tsx';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { formatCredits, formatDateTime } from '../lib/format.ts';
import { useLoad, useTitle } from '../lib/hooks.ts';
import { awaitingMoney, bitcoinCheckoutOf, formatMoney, type PackagesAnswer } from '../lib/payments.ts';
import { Link, useLocation } from '../lib/router.tsx';
import type { Payment as PaymentView } from '../lib/types.ts';
import { useOrders } from '../state/orders.tsx';
import { useLivePayment } from '../state/payment.ts';
import { useMe } from '../state/session.tsx';
import { PaymentStatusBadge } from './Payments.tsx';

function Waiting({ payment, cancelled }: { payment: PaymentView; cancelled: boolean }) {
  if (payment.status === 'pending') {
    return <Notice kind="info">{payment.method === 'bitcoin' ? t.payment.pendingBitcoin : t.payment.pendingCard}</Notice>;
  }
  if (cancelled) {
    return (
      <Notice kind="warning">
        <p>{t.payment.cancelled}</p>
        <p>
          <Link to="/top-up">{t.payment.tryAgain}</Link>
        </p>
      </Notice>
    );
  }
  const words =
    payment.method === 'card' ? t.payment.waitingCard : payment.method === 'bitcoin' ? t.payment.waitingBitcoin : t.payment.waitingStore;
  return (
    <Notice kind="info">
      <p className="payment__waiting">
        <span className="spinner" aria-hidden="true" />
        {words}
      </p>
      <p>{t.payment.waitingHint}</p>
    </Notice>
  );
}

/** The outcome in words, with where to go next. */
function Outcome({ payment }: { payment: PaymentView }) {
  const me = useMe();
  switch (payment.status) {
    case 'paid':
      return (
        <Notice kind="success">
          <p>{t.payment.paid(formatCredits(payment.credits))}</p>
          <p>{t.payment.balanceNow(formatCredits(me.balance.available))}</p>
          <p>
            <Link to="/buy" className="button button--primary">
              {t.payment.buyNumber}
            </Link>
          </p>
        </Notice>
      );
    case 'failed':
      return (
        <Notice kind="error">
          <p>{payment.failureReason ? t.payment.failedBecause(payment.failureReason) : t.payment.failed}</p>
          <p>
            <Link to="/top-up">{t.payment.tryAgain}</Link>
          </p>
        </Notice>
      );
    case 'refunded':
      return <Notice kind="info">{t.payment.refunded}</Notice>;
    case 'disputed':
      return <Notice kind="warning">{t.payment.disputed}</Notice>;
    default:
      return null;
  }
}

function Details({ payment }: { payment: PaymentView }) {
  return (
    <dl className="summary payment__details">
      <div>
        <dt>{t.payment.status}</dt>
        <dd>
          <PaymentStatusBadge status={payment.status} />
        </dd>
      </div>
      <div>
        <dt>{t.payment.orderNumber}</dt>
        <dd translate="no" className="payment__id">
          {payment.id}
        </dd>
      </div>
      <div>
        <dt>{t.payment.credits}</dt>
        <dd>{formatCredits(payment.credits)}</dd>
      </div>
      <div>
        <dt>{t.payment.amount}</dt>
        <dd>{formatMoney(payment.amount, payment.currency)}</dd>
      </div>
      <div>
        <dt>{t.payment.method}</dt>
        <dd>{t.topUp.method[payment.method]}</dd>
      </div>
      <div>
        <dt>{t.payment.created}</dt>
        <dd>
          <time dateTime={payment.createdAt}>{formatDateTime(payment.createdAt)}</time>
        </dd>
      </div>
      <div>
        <dt>{t.payment.paidAt}</dt>
        <dd>{payment.paidAt ? <time dateTime={payment.paidAt}>{formatDateTime(payment.paidAt)}</time> : t.payment.notPaid}</dd>
      </div>
      {payment.refunded > 0 ? (
        <div>
          <dt>{t.payment.refundedPart}</dt>
          <dd>{formatMoney(payment.refunded, payment.currency)}</dd>
        </div>
      ) : null}
    </dl>
  );
}

/** A plan's terms, where the payment bought one: it renews, and the 24-hour rule (P15). */
function PlanTerms({ code }: { code: string }) {
  const packages = useLoad((signal) => api<PackagesAnswer>('/packages', { signal }), []);
  const pkg = packages.data?.packages.find((p) => p.code === code);
  if (!pkg?.interval) return null;
  return (
    <div className="plan-terms">
      <p>{t.plans.renews(pkg.interval, formatCredits(pkg.credits))}</p>
      <p>{t.plans.rule}</p>
      <p>
        <Link to="/payments">{t.plans.title}</Link>
      </p>
    </div>
  );
}

/** A status that changes while the page is shown is read out (the first one is the page itself). */
function useAnnounceChanges(payment: PaymentView | undefined): void {
  const shown = useRef<string>(undefined);
  useEffect(() => {
    if (!payment) return;
    const previous = shown.current;
    shown.current = `${payment.id} ${payment.status}`;
    if (previous === undefined || previous === shown.current || !previous.startsWith(`${payment.id} `)) return;
    announce(payment.status === 'paid' ? t.payment.paid(formatCredits(payment.credits)) : t.payments.statusWord[payment.status]);
  }, [payment]);
}

/**
 * One payment, and the page the card processor sends the customer back to (`?cancelled=1` when
 * they left without paying). It shows what the server knows — never what the redirect suggests —
 * and follows it live until the money has arrived or the payment failed.
 */
export function Payment({ id, pollMs }: { id: string; pollMs?: number }) {
  useTitle(t.payment.title);
  const { search } = useLocation();
  const { live } = useOrders();
  const { payment, error, loading, reload } = useLivePayment(id, pollMs);
  const bitcoin = payment?.method === 'bitcoin' && payment.status === 'created' ? bitcoinCheckoutOf(id) : undefined;
  const waiting = payment !== undefined && awaitingMoney(payment.status);
  useAnnounceChanges(payment);

  return (
    <div className="payment">
      <p className="back">
        <Link to="/payments">
          <Icon name="back" /> {t.payments.back}
        </Link>
      </p>
      <h1 tabIndex={-1}>{t.payment.title}</h1>
      {loading && !payment ? <Loading /> : null}
      {error && !payment ? <ErrorNotice error={error} onRetry={reload} /> : null}
      {payment ? (
        <>
          {waiting ? <LiveStatus live={live} openText={t.payment.live} /> : null}
          {waiting ? <Waiting payment={payment} cancelled={search.get('cancelled') === '1'} /> : <Outcome payment={payment} />}
          {bitcoin ? <BitcoinPay checkout={bitcoin} /> : null}
          <div className="card payment__card">
            <Details payment={payment} />
            {payment.receipt ? (
              <p>
                <Link to={`/payments/${encodeURIComponent(payment.id)}/receipt`}>{t.payment.receipt}</Link>
              </p>
            ) : null}
          </div>
          <PlanTerms code={payment.package} />
        </>
      ) : null}
    </div>
  );
}
