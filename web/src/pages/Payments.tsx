import { PagedList } from '../components/PagedList.tsx';
import { Plans } from '../components/Plans.tsx';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { formatCredits, formatDateTime } from '../lib/format.ts';
import { usePaged, useTitle } from '../lib/hooks.ts';
import { formatMoney } from '../lib/payments.ts';
import { Link } from '../lib/router.tsx';
import type { Payment, PaymentStatus } from '../lib/types.ts';

const PAGE = 25;

const fetchPayments = (cursor: string | undefined, signal: AbortSignal) =>
  api<{ payments: Payment[]; nextCursor: string | null }>(
    `/payments?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    {
      signal,
    },
  ).then((answer) => ({ items: answer.payments, nextCursor: answer.nextCursor }));

const BADGE: Record<PaymentStatus, string> = {
  created: 'waiting',
  pending: 'waiting',
  paid: 'completed',
  failed: 'failed',
  refunded: 'cancelled',
  disputed: 'failed',
};

export function PaymentStatusBadge({ status }: { status: PaymentStatus }) {
  return <span className={`badge badge--${BADGE[status]}`}>{t.payments.statusWord[status]}</span>;
}

function Row({ payment }: { payment: Payment }) {
  return (
    <tr>
      <td data-label={t.payments.date}>
        <Link to={`/payments/${encodeURIComponent(payment.id)}`}>
          <time dateTime={payment.createdAt}>{formatDateTime(payment.createdAt)}</time>
        </Link>
      </td>
      <td data-label={t.payments.what}>{formatCredits(payment.credits)}</td>
      <td data-label={t.payments.amount} className="numeric">
        {formatMoney(payment.amount, payment.currency)}
      </td>
      <td data-label={t.payments.method}>{t.topUp.method[payment.method]}</td>
      <td data-label={t.payments.status}>
        <PaymentStatusBadge status={payment.status} />
      </td>
    </tr>
  );
}

/** The customer's payments (receipts: each opens its page), and the plans they hold. */
export function Payments() {
  useTitle(t.payments.title);
  const payments = usePaged(fetchPayments, []);
  return (
    <div className="payments">
      <h1 tabIndex={-1}>{t.payments.title}</h1>
      <p className="lead">{t.payments.intro}</p>
      <p>
        <Link to="/top-up" className="button button--primary">
          {t.balance.topUp}
        </Link>
      </p>
      <Plans />
      <section aria-labelledby="payments-title">
        <h2 id="payments-title">{t.payments.listTitle}</h2>
        <PagedList list={payments} empty={t.payments.empty}>
          {(items) => (
            <table className="table table--cards">
              <caption className="visually-hidden">{t.payments.listTitle}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.payments.date}</th>
                  <th scope="col">{t.payments.what}</th>
                  <th scope="col" className="numeric">
                    {t.payments.amount}
                  </th>
                  <th scope="col">{t.payments.method}</th>
                  <th scope="col">{t.payments.status}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((payment) => (
                  <Row key={payment.id} payment={payment} />
                ))}
              </tbody>
            </table>
          )}
        </PagedList>
      </section>
    </div>
  );
}
