import { type FormEvent, useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { c } from '../../i18n/console-en.ts';
import { Link } from '../../lib/router.tsx';
import { ApiError, api } from '../api.ts';
import { ActionForm, DoneNotice, formatWhen, LoadState, MoreButton, Select, setDayRange, useLoad, usePagedList } from '../data.tsx';
import { useStaff } from '../session.tsx';

export interface StaffPayment {
  id: string;
  accountId: string;
  email: string | null;
  status: 'created' | 'pending' | 'paid' | 'failed' | 'refunded' | 'disputed';
  method: 'card' | 'bitcoin' | 'app_store' | 'play_store';
  processor: string;
  package: string;
  credits: number;
  amount: number;
  currency: string;
  refunded: number;
  creditsTakenBack: number;
  dispute: 'none' | 'open' | 'won' | 'lost';
  failureReason: string | null;
  processorRef: string | null;
  createdAt: string;
  paidAt: string | null;
  refundedAt: string | null;
  disputedAt: string | null;
}

interface Page {
  items: StaffPayment[];
  nextCursor: string | null;
}

const t = c.payments;
const STATUSES = ['created', 'pending', 'paid', 'failed', 'refunded', 'disputed'] as const;
const METHODS = ['card', 'bitcoin', 'app_store', 'play_store'] as const;

/** Digits after the point in a currency (2 for USD, 0 for JPY). */
const digitsOf = (currency: string) => {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
};
/** 1050 USD → "10.50 USD". */
export const formatMoney = (minor: number, currency: string) => {
  const digits = digitsOf(currency);
  return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`;
};
/** "2.5" in USD → 250; undefined unless a positive amount with at most the currency's decimals. */
export function toMinor(text: string, currency: string): number | undefined {
  const digits = digitsOf(currency);
  const match = /^(\d{1,12})(?:\.(\d+))?$/.exec(text.trim());
  if (!match || (match[2]?.length ?? 0) > digits) return undefined;
  const minor = Number(match[1]) * 10 ** digits + Number((match[2] ?? '').padEnd(digits, '0') || '0');
  return minor > 0 ? minor : undefined;
}

const statusText = (p: StaffPayment) => `${t.statuses[p.status]}${p.dispute !== 'none' ? ` · ${t.disputeText[p.dispute]}` : ''}`;

/** Payments: the list with filters, the open disputes, one payment and its refund (GET/POST /admin/payments). */
export function PaymentsPage({ rest }: { rest: string }) {
  return rest ? <PaymentDetail id={decodeURIComponent(rest)} /> : <PaymentList />;
}

function PaymentTable({ items, caption }: { items: StaffPayment[]; caption: string }) {
  return (
    <div className="console-table-wrap">
      <table className="console-table console-table--cards">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t.payment}</th>
            <th scope="col">{t.customer}</th>
            <th scope="col">{t.status}</th>
            <th scope="col">{t.method}</th>
            <th scope="col" className="numeric">
              {t.amount}
            </th>
            <th scope="col" className="numeric">
              {t.credits}
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.id}>
              <th scope="row" data-label={t.payment}>
                <Link to={`/admin/payments/${p.id}`}>{p.id}</Link>
                <span className="small muted"> {formatWhen(p.createdAt)}</span>
              </th>
              <td data-label={t.customer}>{p.email ?? p.accountId}</td>
              <td data-label={t.status}>{statusText(p)}</td>
              <td data-label={t.method}>{t.methods[p.method]}</td>
              <td className="numeric" data-label={t.amount}>
                {formatMoney(p.amount, p.currency)}
                {p.refunded > 0 ? <span className="small"> {t.refundedOf(formatMoney(p.refunded, p.currency))}</span> : null}
              </td>
              <td className="numeric" data-label={t.credits}>
                {p.credits}
                {p.creditsTakenBack > 0 ? <span className="small"> (−{p.creditsTakenBack})</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PaymentList() {
  const [status, setStatus] = useState('');
  const [method, setMethod] = useState('');
  const [accountId, setAccountId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const list = usePagedList<StaffPayment, Page>('/admin/payments');
  const disputes = useLoad<Page>('/admin/payments?status=disputed');

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams();
    if (status) params.set('status', status);
    if (method) params.set('method', method);
    if (accountId.trim()) params.set('accountId', accountId.trim());
    setDayRange(params, from, to);
    list.search(params);
  };
  const { items } = list;

  return (
    <>
      <h1 tabIndex={-1}>{t.title}</h1>
      <section className="console-section" aria-labelledby="disputes">
        <h2 id="disputes">{t.disputesTitle}</h2>
        <LoadState state={disputes.state} />
        {disputes.state.status === 'ready' ? (
          disputes.state.data.items.length === 0 ? (
            <p className="empty">{t.noDisputes}</p>
          ) : (
            <PaymentTable items={disputes.state.data.items} caption={t.disputesTitle} />
          )
        ) : null}
      </section>
      <section className="console-section" aria-labelledby="all-payments">
        <h2 id="all-payments">{t.listTitle}</h2>
        <form className="console-filters" onSubmit={apply} aria-label={t.filters}>
          <Select
            label={t.status}
            value={status}
            onChange={setStatus}
            options={[{ value: '', label: t.any }, ...STATUSES.map((value) => ({ value, label: t.statuses[value] }))]}
          />
          <Select
            label={t.method}
            value={method}
            onChange={setMethod}
            options={[{ value: '', label: t.any }, ...METHODS.map((value) => ({ value, label: t.methods[value] }))]}
          />
          <Field label={t.account} value={accountId} onChange={setAccountId} autoComplete="off" />
          <Field label={t.from} type="date" value={from} onChange={setFrom} />
          <Field label={t.to} type="date" value={to} onChange={setTo} />
          <button className="button button--primary" type="submit">
            {t.apply}
          </button>
        </form>
        <LoadState state={list.state} />
        {list.state.status === 'ready' && items.length === 0 ? <p className="empty">{t.none}</p> : null}
        {items.length > 0 ? <PaymentTable items={items} caption={t.listTitle} /> : null}
        <MoreButton list={list} label={t.more} />
      </section>
    </>
  );
}

function PaymentDetail({ id }: { id: string }) {
  const admin = useStaff().role === 'admin';
  const { state, reload } = useLoad<StaffPayment>(`/admin/payments/${encodeURIComponent(id)}`);
  const [amount, setAmount] = useState('');
  const [done, setDone] = useState<string>();
  const p = state.status === 'ready' ? state.data : undefined;
  const left = p ? p.amount - p.refunded : 0;
  return (
    <>
      <p>
        <Link to="/admin/payments">{t.back}</Link>
      </p>
      <h1 tabIndex={-1}>{t.detailTitle(id)}</h1>
      <LoadState state={state} />
      <DoneNotice message={done} />
      {p ? (
        <dl className="console-dl">
          <dt>{t.customer}</dt>
          <dd>
            {p.email ?? t.noEmail} <span className="muted small">({p.accountId})</span>
          </dd>
          <dt>{t.status}</dt>
          <dd>{statusText(p)}</dd>
          <dt>{t.method}</dt>
          <dd>
            {t.methods[p.method]} ({p.processor}
            {p.processorRef ? ` ${p.processorRef}` : ''})
          </dd>
          <dt>{t.package}</dt>
          <dd>{p.package}</dd>
          <dt>{t.amount}</dt>
          <dd>{formatMoney(p.amount, p.currency)}</dd>
          <dt>{t.credits}</dt>
          <dd>{p.credits}</dd>
          <dt>{t.refunded}</dt>
          <dd>
            {formatMoney(p.refunded, p.currency)}
            {p.creditsTakenBack > 0 ? ` · ${t.takenBack(p.creditsTakenBack)}` : ''}
          </dd>
          <dt>{t.created}</dt>
          <dd>{formatWhen(p.createdAt)}</dd>
          <dt>{t.paid}</dt>
          <dd>{formatWhen(p.paidAt)}</dd>
          {p.disputedAt ? (
            <>
              <dt>{t.disputed}</dt>
              <dd>{formatWhen(p.disputedAt)}</dd>
            </>
          ) : null}
          {p.failureReason ? (
            <>
              <dt>{t.failure}</dt>
              <dd>{p.failureReason}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      {p && admin && p.status === 'paid' && p.method === 'card' && left > 0 ? (
        <ActionForm
          label={t.refundTitle}
          submit={t.refundSubmit}
          danger
          onSubmit={async (reason) => {
            const minor = amount.trim() === '' ? undefined : toMinor(amount, p.currency);
            if (amount.trim() !== '' && minor === undefined) throw new ApiError(0, 'VALIDATION_FAILED', t.badAmount);
            const answer = await api<{ refunded: number; creditsTakenBack: number }>(`/admin/payments/${encodeURIComponent(p.id)}/refund`, {
              method: 'POST',
              body: { amount: minor, refundedBefore: p.refunded, reason },
            });
            setAmount('');
            setDone(t.refundDone(formatMoney(answer.refunded, p.currency), answer.creditsTakenBack));
            reload();
          }}
        >
          <h2>{t.refundTitle}</h2>
          <p className="small muted">{t.refundIntro(formatMoney(left, p.currency))}</p>
          <Field label={t.refundAmount(p.currency)} inputMode="decimal" value={amount} onChange={setAmount} hint={t.refundAmountHint} />
        </ActionForm>
      ) : null}
    </>
  );
}
