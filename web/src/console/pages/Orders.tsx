import { type FormEvent, useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { c } from '../../i18n/console-en.ts';
import { Link } from '../../lib/router.tsx';
import { formatWhen, LoadState, MoreButton, Select, setDayRange, useLoad, usePagedList } from '../data.tsx';

export interface StaffOrderItem {
  id: string;
  accountId: string;
  service: string;
  country: string;
  provider: string;
  phone: string | null;
  status: string;
  price: number;
  failureReason: string | null;
  sandbox: boolean;
  createdAt: string;
  endedAt: string | null;
}

interface Page {
  by: string | null;
  items: StaffOrderItem[];
  nextCursor: string | null;
}

export interface StaffOrderLife {
  order: StaffOrderItem & {
    orderNumber: number | null;
    upstreamId: string | null;
    providerCost: number | null;
    providerCurrency: string | null;
    expiresAt: string;
    receivedAt: string | null;
  };
  sms: { id: string; code: string | null; text: string | null; late: boolean; source: string; receivedAt: string }[];
  events: { id: string; type: string; fromStatus: string | null; toStatus: string | null; actor: string; at: string }[];
  ledger: { id: string; kind: string; phase: string; amount: number; reason: string; at: string }[];
  webhooks: {
    id: number;
    type: string;
    status: string;
    attempts: number;
    lastResponseStatus: number | null;
    lastError: string | null;
    lastAttemptAt: string | null;
    deliveredAt: string | null;
  }[];
  providerTasks: { id: string; action: string; status: string; attempts: number; lastError: string | null; createdAt: string }[];
  providerCalls: { id: number; provider: string; action: string; outcome: string; durationMs: number; answer: string | null; at: string }[];
}

const t = c.orders;
const STATUSES = ['requesting', 'waiting', 'received', 'completed', 'cancelled', 'expired', 'failed'] as const;

/** Orders: search (id, order number, rented number), filters, the list, and one order's whole life (GET /admin/orders). */
export function OrdersPage({ rest }: { rest: string }) {
  return rest ? <OrderDetail id={decodeURIComponent(rest)} /> : <OrderList />;
}

function OrderTable({ items }: { items: StaffOrderItem[] }) {
  return (
    <div className="console-table-wrap">
      <table className="console-table console-table--cards">
        <caption className="visually-hidden">{t.listTitle}</caption>
        <thead>
          <tr>
            <th scope="col">{t.order}</th>
            <th scope="col">{t.customer}</th>
            <th scope="col">{t.number}</th>
            <th scope="col">{t.status}</th>
            <th scope="col">{t.provider}</th>
            <th scope="col" className="numeric">
              {t.price}
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((o) => (
            <tr key={o.id}>
              <th scope="row" data-label={t.order}>
                <Link to={`/admin/orders/${o.id}`}>{o.id}</Link>
                <span className="small muted">
                  {' '}
                  {o.service} · {o.country} · {formatWhen(o.createdAt)}
                </span>
              </th>
              <td data-label={t.customer}>
                <Link to={`/admin/accounts/${o.accountId}`}>{o.accountId}</Link>
              </td>
              <td data-label={t.number}>{o.phone ?? '—'}</td>
              <td data-label={t.status}>
                {o.status}
                {o.failureReason ? <span className="small muted"> ({o.failureReason})</span> : null}
              </td>
              <td data-label={t.provider}>
                {o.provider}
                {o.sandbox ? <span className="small muted"> ({t.sandbox})</span> : null}
              </td>
              <td className="numeric" data-label={t.price}>
                {o.price}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OrderList() {
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const [service, setService] = useState('');
  const [country, setCountry] = useState('');
  const [provider, setProvider] = useState('');
  const [account, setAccount] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const orders = usePagedList<StaffOrderItem, Page>('/admin/orders');

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams();
    const fields: [string, string][] = [
      ['q', q],
      ['status', status],
      ['service', service.toLowerCase()],
      ['country', country.toUpperCase()],
      ['provider', provider],
      ['account', account],
    ];
    for (const [name, value] of fields) if (value.trim()) params.set(name, value.trim());
    setDayRange(params, from, to);
    orders.search(params);
  };
  const { items } = orders;
  const ready = orders.first;
  const searched = new URLSearchParams(orders.query).has('q');

  return (
    <>
      <h1 tabIndex={-1}>{t.title}</h1>
      <form className="console-filters" onSubmit={apply} aria-label={t.filters}>
        <Field label={t.search} type="search" value={q} onChange={setQ} autoComplete="off" hint={t.searchHint} />
        <Select
          label={t.status}
          value={status}
          onChange={setStatus}
          options={[{ value: '', label: t.any }, ...STATUSES.map((value) => ({ value, label: value }))]}
        />
        <Field label={t.service} value={service} onChange={setService} autoComplete="off" />
        <Field label={t.country} value={country} onChange={setCountry} autoComplete="off" />
        <Field label={t.provider} value={provider} onChange={setProvider} autoComplete="off" />
        <Field label={t.account} value={account} onChange={setAccount} autoComplete="off" />
        <Field label={t.from} type="date" value={from} onChange={setFrom} />
        <Field label={t.to} type="date" value={to} onChange={setTo} />
        <button className="button button--primary" type="submit">
          {t.find}
        </button>
      </form>
      <section className="console-section" aria-labelledby="orders-list">
        <h2 id="orders-list">{t.listTitle}</h2>
        <LoadState state={orders.state} />
        {ready && items.length === 0 ? (
          <p className="empty" role="status">
            {searched && ready.by === null ? t.notATerm : t.none}
          </p>
        ) : null}
        {items.length > 0 ? <OrderTable items={items} /> : null}
        <MoreButton list={orders} label={t.more} />
      </section>
    </>
  );
}

interface Moment {
  key: string;
  at: string;
  kind: string;
  text: string;
  failed?: boolean;
}

/** Everything that happened to an order, oldest first: transitions, messages, credits, webhooks, provider calls and tasks. */
export function timelineOf(life: StaffOrderLife): Moment[] {
  const moments: Moment[] = [
    ...life.events.map((e) => ({ key: e.id, at: e.at, kind: 'event', text: t.eventText(e.type, e.fromStatus, e.toStatus, e.actor) })),
    ...life.sms.map((m) => ({ key: m.id, at: m.receivedAt, kind: 'sms', text: t.smsText(m.code, m.text, m.late) })),
    ...life.ledger.map((l) => ({ key: l.id, at: l.at, kind: 'ledger', text: t.ledgerText(l.kind, l.amount, l.reason) })),
    ...life.webhooks.map((w) => ({
      key: `webhook-${w.id}`,
      at: w.deliveredAt ?? w.lastAttemptAt ?? life.order.createdAt,
      kind: 'webhook',
      text: t.webhookText(w.type, w.status, w.attempts, w.lastError, w.lastResponseStatus),
      failed: w.status === 'failed',
    })),
    ...life.providerCalls.map((call) => ({
      key: `call-${call.id}`,
      at: call.at,
      kind: 'call',
      text: t.callText(call.provider, call.action, call.outcome, call.durationMs, call.answer),
      failed: call.outcome !== 'ok',
    })),
    ...life.providerTasks.map((task) => ({
      key: task.id,
      at: task.createdAt,
      kind: 'task',
      text: t.taskText(task.action, task.status, task.attempts, task.lastError),
      failed: task.status === 'failed',
    })),
  ];
  return moments.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

function OrderDetail({ id }: { id: string }) {
  const { state } = useLoad<StaffOrderLife>(`/admin/orders/${encodeURIComponent(id)}`);
  const life = state.status === 'ready' ? state.data : undefined;
  const o = life?.order;
  return (
    <>
      <p>
        <Link to="/admin/orders">{t.back}</Link>
      </p>
      <h1 tabIndex={-1}>{t.detailTitle(id)}</h1>
      <LoadState state={state} />
      {life && o ? (
        <>
          <dl className="console-dl">
            <dt>{t.customer}</dt>
            <dd>
              <Link to={`/admin/accounts/${o.accountId}`}>{t.openAccount}</Link> <span className="muted small">({o.accountId})</span>
            </dd>
            <dt>{t.number}</dt>
            <dd>{o.phone ?? '—'}</dd>
            <dt>{t.status}</dt>
            <dd>
              {o.status}
              {o.failureReason ? ` (${o.failureReason})` : ''}
            </dd>
            <dt>{t.service}</dt>
            <dd>
              {o.service} · {o.country}
            </dd>
            <dt>{t.provider}</dt>
            <dd>
              {o.provider}
              {o.sandbox ? ` (${t.sandbox})` : ''}
              {o.upstreamId ? <span className="muted small"> {`${t.upstream}: ${o.upstreamId}`}</span> : null}
            </dd>
            <dt>{t.price}</dt>
            <dd>
              {o.price}
              {o.providerCost !== null ? (
                <span className="muted small"> {`${t.cost}: ${o.providerCost / 1_000_000} ${o.providerCurrency ?? ''}`}</span>
              ) : null}
            </dd>
            {o.orderNumber !== null ? (
              <>
                <dt>{t.orderNumber}</dt>
                <dd>{o.orderNumber}</dd>
              </>
            ) : null}
            <dt>{t.created}</dt>
            <dd>{formatWhen(o.createdAt)}</dd>
            <dt>{t.expires}</dt>
            <dd>{formatWhen(o.expiresAt)}</dd>
            <dt>{t.ended}</dt>
            <dd>{formatWhen(o.endedAt)}</dd>
          </dl>
          <section className="console-section" aria-labelledby="order-codes">
            <h2 id="order-codes">{t.codes}</h2>
            {life.sms.length === 0 ? (
              <p className="empty">{t.noCode}</p>
            ) : (
              <ul>
                {life.sms.map((m) => (
                  <li key={m.id}>
                    <strong>{m.code ?? '—'}</strong> <span className="small muted">{formatWhen(m.receivedAt)}</span>
                    {m.late ? <span className="small muted"> ({t.late})</span> : null}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="console-section" aria-labelledby="order-timeline">
            <h2 id="order-timeline">{t.timeline}</h2>
            <ol className="console-timeline">
              {timelineOf(life).map((moment) => (
                <li key={moment.key} className={moment.failed ? 'console-timeline__failed' : undefined}>
                  <time dateTime={moment.at} className="small muted">
                    {formatWhen(moment.at)}
                  </time>{' '}
                  <span className="console-timeline__kind">{t.kinds[moment.kind]}</span> {moment.text}
                </li>
              ))}
            </ol>
          </section>
        </>
      ) : null}
    </>
  );
}
