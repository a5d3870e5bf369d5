import { Icon } from '../components/Icon.tsx';
import { ErrorNotice, Loading, Notice } from '../components/Notice.tsx';
import { t } from '../i18n/index.ts';
import { ApiError, api } from '../lib/api.ts';
import { formatCredits, formatDateTime } from '../lib/format.ts';
import { useLoad, useTitle } from '../lib/hooks.ts';
import { formatMoney } from '../lib/payments.ts';
import { Link } from '../lib/router.tsx';
import type { PaymentReceipt } from '../lib/types.ts';

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** The receipt of a paid payment, laid out to print (the browser's print saves it as a PDF too). */
function ReceiptBody({ receipt }: { receipt: PaymentReceipt }) {
  return (
    <article className="card receipt" aria-labelledby="receipt-title">
      <h2 id="receipt-title" className="receipt__seller">
        {receipt.seller.name}
      </h2>
      <p className="muted">
        {receipt.seller.website}
        {receipt.seller.contact ? ` · ${receipt.seller.contact}` : ''}
      </p>
      <dl className="summary receipt__lines">
        <Row label={t.receipt.number}>
          <span translate="no">{receipt.number}</span>
        </Row>
        <Row label={t.receipt.date}>
          <time dateTime={receipt.issuedAt}>{formatDateTime(receipt.issuedAt)}</time>
        </Row>
        <Row label={t.receipt.customer}>
          <span translate="no">{receipt.customer}</span>
        </Row>
        <Row label={t.receipt.item}>{receipt.description}</Row>
        <Row label={t.receipt.credits}>{formatCredits(receipt.credits)}</Row>
        <Row label={t.receipt.amount}>{formatMoney(receipt.amount, receipt.currency)}</Row>
        <Row label={t.receipt.method}>{t.topUp.method[receipt.method]}</Row>
        {receipt.reference ? (
          <Row label={t.receipt.reference}>
            <span translate="no" className="receipt__reference">
              {receipt.reference}
            </span>
          </Row>
        ) : null}
        {receipt.refunded > 0 ? (
          <Row label={t.receipt.refunded}>
            {formatMoney(receipt.refunded, receipt.currency)}
            {receipt.refundedAt ? ` ${t.receipt.refundedOn(formatDateTime(receipt.refundedAt))}` : ''}
          </Row>
        ) : null}
        {receipt.bitcoin && receipt.bitcoin.transactions.length > 0 ? (
          <Row label={t.receipt.transactions}>
            <ul className="receipt__transactions">
              {receipt.bitcoin.transactions.map((tx) => (
                <li key={tx.txid}>
                  <span translate="no" className="receipt__reference">
                    {tx.txid}
                  </span>{' '}
                  ({tx.btc} BTC)
                </li>
              ))}
            </ul>
          </Row>
        ) : null}
      </dl>
    </article>
  );
}

/** `/payments/:id/receipt`: what the server says was paid; none before the payment is paid (409). */
export function Receipt({ id }: { id: string }) {
  useTitle(t.receipt.title);
  const receipt = useLoad((signal) => api<PaymentReceipt>(`/payments/${encodeURIComponent(id)}/receipt`, { signal }), [id]);
  const notYet = receipt.error instanceof ApiError && receipt.error.code === 'CONFLICT';
  return (
    <div className="receipt-page">
      <p className="back no-print">
        <Link to={`/payments/${encodeURIComponent(id)}`}>
          <Icon name="back" /> {t.receipt.back}
        </Link>
      </p>
      <h1 tabIndex={-1}>{t.receipt.title}</h1>
      {receipt.loading && !receipt.data ? <Loading /> : null}
      {notYet ? <Notice kind="info">{t.receipt.notYet}</Notice> : null}
      {receipt.error && !notYet ? <ErrorNotice error={receipt.error} onRetry={receipt.reload} /> : null}
      {receipt.data ? (
        <>
          <ReceiptBody receipt={receipt.data} />
          <p className="no-print">
            <button type="button" className="button button--secondary" onClick={() => window.print()}>
              {t.receipt.print}
            </button>
          </p>
        </>
      ) : null}
    </div>
  );
}
