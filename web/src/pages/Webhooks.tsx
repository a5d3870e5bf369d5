import { type FormEvent, useId, useState } from 'react';
import { CopyButton } from '../components/CopyButton.tsx';
import { Checkbox, Field } from '../components/Field.tsx';
import { ErrorNotice, Loading, Notice } from '../components/Notice.tsx';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { formatDateTime } from '../lib/format.ts';
import { type Loaded, useLoad, useMounted } from '../lib/hooks.ts';

export const WEBHOOK_EVENTS = ['activation.updated', 'sms.received', 'balance.updated'] as const;

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  consecutiveFailures: number;
  lastSuccessAt: string | null;
  createdAt: string;
}

interface Delivery {
  messageId: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastResponseStatus: number | null;
  lastError: string | null;
  createdAt: string;
}

/** A signing secret, shown once, with the words that go with it. */
function Secret({ title, secret }: { title: string; secret: string }) {
  return (
    <Notice kind="success">
      <p>
        <strong>{title}</strong>
      </p>
      <p className="secret" translate="no">
        {secret}
      </p>
      <p>{t.webhooks.secretWarning}</p>
      <CopyButton text={secret} label={t.webhooks.copySecret} />
    </Notice>
  );
}

function AddEndpoint({ onAdded }: { onAdded: () => void }) {
  const mounted = useMounted();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<{ url: string; secret: string }>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    setProblem(url.trim() ? undefined : t.webhooks.urlRequired);
    if (!url.trim()) {
      form.querySelector('input')?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api<WebhookEndpoint & { secret: string }>('/webhook-endpoints', {
        method: 'POST',
        // No box ticked means every event, including those added later.
        body: { url: url.trim(), description: description.trim() || undefined, events: events.length > 0 ? events : undefined },
      });
      if (!mounted()) return;
      setCreated({ url: answer.url, secret: answer.secret });
      setUrl('');
      setDescription('');
      setEvents([]);
      onAdded();
    } catch (caught) {
      if (mounted()) setError(caught);
    } finally {
      if (mounted()) setBusy(false);
    }
  };

  return (
    <>
      {created ? <Secret title={t.webhooks.added(created.url)} secret={created.secret} /> : null}
      <form onSubmit={submit} noValidate className="stack webhook-form">
        <Field
          label={t.webhooks.url}
          type="url"
          inputMode="url"
          placeholder="https://"
          value={url}
          onChange={setUrl}
          hint={t.webhooks.urlHint}
          error={problem}
        />
        <Field label={t.webhooks.description} value={description} onChange={setDescription} maxLength={200} />
        <fieldset className="radios">
          <legend>{t.webhooks.events}</legend>
          <p className="field__hint">{t.webhooks.eventsHint}</p>
          {WEBHOOK_EVENTS.map((type) => (
            <Checkbox
              key={type}
              checked={events.includes(type)}
              onChange={(on) => setEvents(on ? [...events, type] : events.filter((e) => e !== type))}
            >
              <code>{type}</code> — {t.webhooks.eventWords[type]}
            </Checkbox>
          ))}
        </fieldset>
        {error ? <ErrorNotice error={error} /> : null}
        <button type="submit" className="button button--primary" disabled={busy}>
          {t.webhooks.add}
        </button>
      </form>
    </>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const deliveries = useLoad(
    (signal) =>
      api<{ deliveries: Delivery[] }>(`/webhook-endpoints/${encodeURIComponent(endpointId)}/deliveries?limit=20`, { signal }).then(
        (answer) => answer.deliveries,
      ),
    [endpointId],
  );
  if (deliveries.loading && !deliveries.data) return <Loading />;
  if (!deliveries.data) return <ErrorNotice error={deliveries.error} onRetry={deliveries.reload} />;
  if (deliveries.data.length === 0) return <p className="muted small">{t.webhooks.noDeliveries}</p>;
  return (
    <ul className="rows">
      {deliveries.data.map((delivery) => (
        <li key={delivery.messageId} className="row small">
          <div>
            <p>
              <code>{delivery.type}</code> · {t.webhooks.deliveryStatus[delivery.status]} · {t.webhooks.attempts(delivery.attempts)}
            </p>
            <p className="muted">
              {formatDateTime(delivery.createdAt)}
              {delivery.lastResponseStatus !== null ? ` · HTTP ${delivery.lastResponseStatus}` : ''}
              {delivery.lastError ? ` · ${delivery.lastError}` : ''}
            </p>
          </div>
        </li>
      ))}
    </ul>
  );
}

function EndpointRow({ endpoint, onChanged }: { endpoint: WebhookEndpoint; onChanged: () => void }) {
  const mounted = useMounted();
  const detailsId = useId();
  const [confirming, setConfirming] = useState(false);
  const [secret, setSecret] = useState<string>();
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [showDeliveries, setShowDeliveries] = useState(false);
  const path = `/webhook-endpoints/${encodeURIComponent(endpoint.id)}`;

  const act = async (work: () => Promise<void>) => {
    setError(undefined);
    setMessage(undefined);
    try {
      await work();
    } catch (caught) {
      if (mounted()) setError(caught);
    }
  };
  const sendTest = () =>
    act(async () => {
      await api(`${path}/test`, { method: 'POST' });
      if (mounted()) setMessage(t.webhooks.testSent);
    });
  const rotate = () =>
    act(async () => {
      const answer = await api<{ secret: string }>(`${path}/rotate-secret`, { method: 'POST' });
      if (mounted()) setSecret(answer.secret);
    });
  const enable = () =>
    act(async () => {
      await api(`${path}/enable`, { method: 'POST' });
      onChanged();
    });
  const remove = () =>
    act(async () => {
      await api(path, { method: 'DELETE' });
      onChanged();
    });

  const events = endpoint.events.includes('*') ? t.webhooks.allEvents : endpoint.events.join(', ');
  return (
    <li className="row row--stacked">
      <div>
        <p>
          <strong translate="no">{endpoint.url}</strong>{' '}
          <span className={`badge ${endpoint.status === 'enabled' ? 'badge--completed' : 'badge--failed'}`}>
            {endpoint.status === 'enabled' ? t.webhooks.enabled : t.webhooks.disabled}
          </span>
        </p>
        {endpoint.description ? <p>{endpoint.description}</p> : null}
        <p className="muted small">
          {events} · {t.webhooks.created(formatDateTime(endpoint.createdAt))}
          {endpoint.lastSuccessAt ? ` · ${t.webhooks.lastSuccess(formatDateTime(endpoint.lastSuccessAt))}` : ''}
          {endpoint.consecutiveFailures > 0 ? ` · ${t.webhooks.failures(endpoint.consecutiveFailures)}` : ''}
        </p>
        {endpoint.disabledReason ? <Notice kind="warning">{t.webhooks.disabledBecause(endpoint.disabledReason)}</Notice> : null}
      </div>
      <div className="row__actions">
        <button
          type="button"
          className="button button--secondary button--small"
          onClick={sendTest}
          aria-label={t.webhooks.testNamed(endpoint.url)}
        >
          {t.webhooks.test}
        </button>
        <button
          type="button"
          className="button button--secondary button--small"
          onClick={rotate}
          aria-label={t.webhooks.rotateNamed(endpoint.url)}
        >
          {t.webhooks.rotate}
        </button>
        {endpoint.status === 'disabled' ? (
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={enable}
            aria-label={t.webhooks.enableNamed(endpoint.url)}
          >
            {t.webhooks.enable}
          </button>
        ) : null}
        <button
          type="button"
          className="button button--ghost button--small"
          aria-expanded={showDeliveries}
          aria-controls={detailsId}
          onClick={() => setShowDeliveries(!showDeliveries)}
          aria-label={t.webhooks.deliveriesNamed(endpoint.url)}
        >
          {t.webhooks.deliveries}
        </button>
        {confirming ? null : (
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => setConfirming(true)}
            aria-label={t.webhooks.removeNamed(endpoint.url)}
          >
            {t.webhooks.remove}
          </button>
        )}
      </div>
      {confirming ? (
        <fieldset className="confirm-inline">
          <legend>{t.webhooks.confirmRemove(endpoint.url)}</legend>
          <button type="button" className="button button--danger button--small" onClick={remove}>
            {t.webhooks.removeNamed(endpoint.url)}
          </button>
          <button type="button" className="button button--ghost button--small" onClick={() => setConfirming(false)}>
            {t.common.cancel}
          </button>
        </fieldset>
      ) : null}
      {secret ? <Secret title={t.webhooks.rotated} secret={secret} /> : null}
      {message ? <Notice kind="success">{message}</Notice> : null}
      {error ? <ErrorNotice error={error} /> : null}
      <div id={detailsId}>{showDeliveries ? <Deliveries endpointId={endpoint.id} /> : null}</div>
    </li>
  );
}

/** Webhook endpoints: where otpbox POSTs signed events (Standard Webhooks) for this account. */
export function Webhooks({ endpoints }: { endpoints: Loaded<WebhookEndpoint[]> }) {
  return (
    <section className="card" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">{t.webhooks.title}</h2>
      <p className="muted">{t.webhooks.intro}</p>
      {endpoints.loading && !endpoints.data ? <Loading /> : null}
      {endpoints.error && !endpoints.data ? <ErrorNotice error={endpoints.error} onRetry={endpoints.reload} /> : null}
      {endpoints.data && endpoints.data.length === 0 ? <p className="muted">{t.webhooks.empty}</p> : null}
      {endpoints.data && endpoints.data.length > 0 ? (
        <ul className="rows">
          {endpoints.data.map((endpoint) => (
            <EndpointRow key={endpoint.id} endpoint={endpoint} onChanged={endpoints.reload} />
          ))}
        </ul>
      ) : null}
      <h3>{t.webhooks.addTitle}</h3>
      <AddEndpoint onAdded={endpoints.reload} />
    </section>
  );
}
