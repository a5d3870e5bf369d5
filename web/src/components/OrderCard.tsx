import { type FormEvent, useId, useState } from 'react';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { countryByCode, serviceByCode, serviceName } from '../lib/catalog-data.ts';
import { formatClock, formatCredits, formatDuration } from '../lib/format.ts';
import { useMounted, useNow } from '../lib/hooks.ts';
import { Link } from '../lib/router.tsx';
import { serverNow } from '../lib/server-clock.ts';
import { type Activation, isOpen, type OrderStatus, type Sms } from '../lib/types.ts';
import { useOrderStore } from '../state/orders.tsx';
import { announce } from './Announcer.tsx';
import { CopyButton } from './CopyButton.tsx';
import { Flag } from './Flag.tsx';
import { ErrorNotice, Notice } from './Notice.tsx';
import { PhoneNumber } from './PhoneNumber.tsx';
import { ServiceIcon } from './ServiceIcon.tsx';

type Action = 'cancel' | 'finish' | 'retry';

export function StatusBadge({ status }: { status: OrderStatus }) {
  return <span className={`badge badge--${status}`}>{t.orders.status[status]}</span>;
}

/** One order: the number, the time left, the code the instant it arrives, and what can be done now. */
export function OrderCard({ order, autoFocus = false }: { order: Activation; autoFocus?: boolean }) {
  const store = useOrderStore();
  const mounted = useMounted();
  const now = serverNow(useNow(1000));
  const headingId = useId();
  const [busy, setBusy] = useState<Action>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const service = serviceByCode(order.service);
  const country = countryByCode(order.country);
  const name = serviceName(order.service);
  const open = isOpen(order.status);

  const run = async (action: Action) => {
    setBusy(action);
    setError(undefined);
    setNotice(undefined);
    try {
      const updated = await store.act(order.id, action);
      if (action === 'cancel' && updated.status === 'cancelled') announce(t.orders.outcome.cancelled);
      if (action === 'finish') announce(t.orders.outcome.completed(formatCredits(updated.price)));
      if (action === 'retry' && mounted()) setNotice(t.orders.anotherRequested);
    } catch (caught) {
      if (mounted()) setError(caught);
    } finally {
      if (mounted()) setBusy(undefined);
    }
  };

  return (
    <article className={`order card order--${order.status}`} aria-labelledby={headingId}>
      <header className="order__header">
        <ServiceIcon service={service} code={order.service} />
        <h2 id={headingId} tabIndex={-1} data-autofocus={autoFocus ? '' : undefined} className="order__title">
          {name}
          <span className="order__country">
            <Flag code={order.country} name={country?.name ?? order.country} decorative /> {country?.name ?? order.country}
          </span>
        </h2>
        <StatusBadge status={order.status} />
      </header>
      {order.sandbox ? (
        <p className="order__sandbox">
          <span className="badge badge--sandbox">{t.common.sandbox}</span> {t.orders.sandboxNumber}
        </p>
      ) : null}
      <PhoneNumber phone={order.phone} dialCode={country?.dialCode} />
      {open ? <Expiry expiresAt={order.expiresAt} now={now} /> : null}
      <Messages order={order} />
      {open ? <Actions order={order} now={now} busy={busy} onAction={run} /> : <Outcome order={order} />}
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      {error ? <ErrorNotice error={error} /> : null}
      {order.sandbox && open ? <SimulateSms order={order} /> : null}
      <p className="small">
        <Link to={`/support/new?order=${encodeURIComponent(order.id)}`}>{t.support.askAboutOrder}</Link>
      </p>
      {!open ? (
        <button type="button" className="button button--ghost button--small" onClick={() => store.dismiss(order.id)}>
          {t.orders.dismiss}
        </button>
      ) : null}
    </article>
  );
}

function Expiry({ expiresAt, now }: { expiresAt: string; now: number }) {
  const left = (Date.parse(expiresAt) - now) / 1000;
  return (
    <p className="order__expiry">
      {left > 0 ? (
        <>
          {t.orders.expiresIn} <time dateTime={expiresAt}>{formatClock(left)}</time>
        </>
      ) : (
        t.orders.expired
      )}
    </p>
  );
}

function Messages({ order }: { order: Activation }) {
  if (order.sms.length === 0) {
    if (order.status !== 'waiting') return null;
    return (
      <div className="code code--waiting">
        <p className="code__waiting">
          <span className="spinner" aria-hidden="true" />
          {t.orders.waiting}
        </p>
        <p className="muted small">{t.orders.waitingHint}</p>
      </div>
    );
  }
  const newestFirst = [...order.sms].reverse();
  return (
    <div className="messages">
      {newestFirst.map((sms, index) => (
        <Message key={sms.id} sms={sms} main={index === 0} />
      ))}
    </div>
  );
}

function Message({ sms, main }: { sms: Sms; main: boolean }) {
  return (
    <div className={`code${main ? '' : ' code--older'}`}>
      {sms.withheld ? (
        <p>{t.orders.withheld}</p>
      ) : sms.code ? (
        <div className="code__row">
          <p className="code__value">
            <span className="visually-hidden">{t.orders.code}: </span>
            <span translate="no" data-testid="code">
              {sms.code}
            </span>
          </p>
          <CopyButton text={sms.code} label={t.orders.copyCode} />
        </div>
      ) : (
        <p>{t.orders.noCodeInText}</p>
      )}
      {sms.text ? (
        <details className="code__text" open={!sms.code}>
          <summary>{t.orders.message}</summary>
          <p>{sms.text}</p>
        </details>
      ) : null}
      {sms.late && !sms.withheld ? <p className="muted small">{t.orders.late}</p> : null}
    </div>
  );
}

function Actions({ order, now, busy, onAction }: { order: Activation; now: number; busy?: Action; onAction: (action: Action) => void }) {
  const hintId = useId();
  if (order.status === 'received') {
    return (
      <div className="order__actions">
        <button type="button" className="button button--primary" onClick={() => onAction('finish')} disabled={busy !== undefined}>
          {busy === 'finish' ? t.orders.finishing : t.orders.finish}
        </button>
        <button
          type="button"
          className="button button--secondary"
          onClick={() => onAction('retry')}
          disabled={busy !== undefined}
          aria-describedby={hintId}
        >
          {t.orders.another}
        </button>
        <p id={hintId} className="muted small order__hint">
          {t.orders.anotherHint}
        </p>
      </div>
    );
  }
  const secondsLeft = Math.ceil((Date.parse(order.cancellableAt) - now) / 1000);
  const early = secondsLeft > 0;
  const windowSeconds = (Date.parse(order.cancellableAt) - Date.parse(order.createdAt)) / 1000;
  return (
    <div className="order__actions">
      <button
        type="button"
        className="button button--secondary"
        onClick={() => onAction('cancel')}
        disabled={early || busy !== undefined}
        aria-describedby={early ? hintId : undefined}
      >
        {busy === 'cancel' ? t.orders.cancelling : early ? t.orders.cancelIn(formatClock(secondsLeft)) : t.orders.cancel}
      </button>
      {early ? (
        <p id={hintId} className="muted small order__hint">
          {t.orders.cancelWindow(formatDuration(windowSeconds))}
        </p>
      ) : null}
    </div>
  );
}

function Outcome({ order }: { order: Activation }) {
  const text =
    order.status === 'completed'
      ? t.orders.outcome.completed(formatCredits(order.price))
      : order.status === 'cancelled'
        ? t.orders.outcome.cancelled
        : order.status === 'expired'
          ? t.orders.outcome.expired
          : t.orders.outcome.failed;
  return <Notice kind={order.status === 'completed' ? 'success' : 'info'}>{text}</Notice>;
}

/** Sandbox numbers only: deliver any text, as if the service had sent it. */
function SimulateSms({ order }: { order: Activation }) {
  const mounted = useMounted();
  const inputId = useId();
  const [text, setText] = useState(() => t.orders.simulateDefault(serviceName(order.service)));
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setDone(false);
    setError(undefined);
    try {
      await api('/sandbox/sms', { method: 'POST', body: { activationId: order.id, text } });
      if (mounted()) setDone(true);
    } catch (caught) {
      if (mounted()) setError(caught);
    } finally {
      if (mounted()) setBusy(false);
    }
  };

  return (
    <details className="simulate">
      <summary>{t.orders.simulateTitle}</summary>
      <form onSubmit={submit} className="simulate__form">
        <label htmlFor={inputId}>{t.orders.simulateLabel}</label>
        <textarea id={inputId} value={text} onChange={(event) => setText(event.target.value)} rows={2} maxLength={1600} />
        <button type="submit" className="button button--secondary button--small" disabled={busy || !text.trim()}>
          {t.orders.simulateButton}
        </button>
        {done ? <Notice kind="success">{t.orders.simulated}</Notice> : null}
        {error ? <ErrorNotice error={error} /> : null}
      </form>
    </details>
  );
}
