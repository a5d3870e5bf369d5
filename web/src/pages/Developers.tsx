import { type FormEvent, useRef, useState } from 'react';
import { CopyButton } from '../components/CopyButton.tsx';
import { Field } from '../components/Field.tsx';
import { ErrorNotice, Loading, Notice } from '../components/Notice.tsx';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { formatDateTime } from '../lib/format.ts';
import { type Loaded, useLoad, useMounted, useTitle } from '../lib/hooks.ts';
import type { ApiKey } from '../lib/types.ts';
import { type WebhookEndpoint, Webhooks } from './Webhooks.tsx';

function CreateKey({ onCreated }: { onCreated: () => void }) {
  const mounted = useMounted();
  const form = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string>();
  const [created, setCreated] = useState<{ name: string; key: string }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(name.trim() ? undefined : t.developers.keyNameHint);
    if (!name.trim()) {
      form.current?.querySelector('input')?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api<ApiKey & { key: string }>('/api-keys', { method: 'POST', body: { name: name.trim() } });
      if (!mounted()) return;
      setCreated({ name: answer.name, key: answer.key });
      setName('');
      onCreated();
    } catch (caught) {
      if (mounted()) setError(caught);
    } finally {
      if (mounted()) setBusy(false);
    }
  };

  return (
    <>
      {created ? (
        <Notice kind="success">
          <p>
            <strong>{t.developers.newKey(created.name)}</strong>
          </p>
          <p className="secret" translate="no">
            {created.key}
          </p>
          <p>{t.developers.newKeyWarning}</p>
          <CopyButton text={created.key} label={t.developers.copyKey} />
        </Notice>
      ) : null}
      <form ref={form} onSubmit={submit} noValidate className="inline-form">
        <Field
          label={t.developers.keyName}
          value={name}
          onChange={setName}
          maxLength={100}
          hint={t.developers.keyNameHint}
          error={problem}
        />
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? t.developers.creating : t.developers.createKey}
        </button>
      </form>
      {error ? <ErrorNotice error={error} /> : null}
    </>
  );
}

function KeyRow({ apiKey, onRevoked }: { apiKey: ApiKey; onRevoked: () => void }) {
  const mounted = useMounted();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>();
  const revoke = async () => {
    setError(undefined);
    try {
      await api(`/api-keys/${encodeURIComponent(apiKey.id)}`, { method: 'DELETE' });
      onRevoked();
    } catch (caught) {
      if (mounted()) setError(caught);
    }
  };
  return (
    <li className="row">
      <div>
        <p>
          <strong>{apiKey.name}</strong> <code translate="no">{apiKey.displayPrefix}…</code>
        </p>
        <p className="muted small">
          {t.developers.created(formatDateTime(apiKey.createdAt))}
          {apiKey.lastUsedAt ? `, ${t.developers.lastUsed(formatDateTime(apiKey.lastUsedAt))}` : ''}
        </p>
        {confirming ? (
          <fieldset className="confirm-inline">
            <legend>{t.developers.confirmRevoke(apiKey.name)}</legend>
            <button type="button" className="button button--danger button--small" onClick={revoke}>
              {t.developers.revokeNamed(apiKey.name)}
            </button>
            <button type="button" className="button button--ghost button--small" onClick={() => setConfirming(false)}>
              {t.common.cancel}
            </button>
          </fieldset>
        ) : null}
        {error ? <ErrorNotice error={error} /> : null}
      </div>
      {confirming ? null : (
        <button
          type="button"
          className="button button--secondary button--small"
          onClick={() => setConfirming(true)}
          aria-label={t.developers.revokeNamed(apiKey.name)}
        >
          {t.developers.revoke}
        </button>
      )}
    </li>
  );
}

function ApiKeys({ keys }: { keys: Loaded<ApiKey[]> }) {
  return (
    <section className="card" aria-labelledby="keys-title">
      <h2 id="keys-title">{t.developers.keysTitle}</h2>
      <CreateKey onCreated={keys.reload} />
      {keys.loading && !keys.data ? <Loading /> : null}
      {keys.error && !keys.data ? <ErrorNotice error={keys.error} onRetry={keys.reload} /> : null}
      {keys.data && keys.data.length === 0 ? <p className="muted">{t.developers.keysEmpty}</p> : null}
      {keys.data && keys.data.length > 0 ? (
        <ul className="rows">
          {keys.data.map((key) => (
            <KeyRow key={key.id} apiKey={key} onRevoked={keys.reload} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** For power users: API keys for scripts, webhook endpoints for integrations, and the reference. */
export function Developers() {
  useTitle(t.developers.title);
  const keys = useLoad((signal) => api<{ apiKeys: ApiKey[] }>('/api-keys', { signal }).then((answer) => answer.apiKeys), []);
  const endpoints = useLoad(
    (signal) => api<{ endpoints: WebhookEndpoint[] }>('/webhook-endpoints', { signal }).then((answer) => answer.endpoints),
    [],
  );
  return (
    <div className="developers">
      <h1 tabIndex={-1}>{t.developers.title}</h1>
      <p className="lead">
        {t.developers.intro} <a href="/docs">{t.developers.docs}</a>
      </p>
      <div className="grid">
        <ApiKeys keys={keys} />
        <Webhooks endpoints={endpoints} />
      </div>
    </div>
  );
}
