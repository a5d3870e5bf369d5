import { type FormEvent, useState } from 'react';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { formatDay } from '../../lib/format.ts';
import { useLoad, useSubmission } from '../../lib/hooks.ts';
import type { PrivacyRequest, PrivacyRequestType } from '../../lib/types.ts';
import { ErrorNotice, Loading, Notice } from '../Notice.tsx';
import { RequestTypeFields } from './RequestTypeFields.tsx';

const s = () => t.privacyRequests;
const WAITING = new Set(['open', 'in_progress']);

/** File a rights request: the right chosen with what it means in plain words, and optional details. */
function FileRequest({ onFiled }: { onFiled: () => void }) {
  const { busy, error, mounted, run } = useSubmission();
  const [type, setType] = useState<PrivacyRequestType>('access');
  const [details, setDetails] = useState('');
  const [done, setDone] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    await run(async () => {
      await api('/privacy/requests', { method: 'POST', body: { type, ...(details.trim() ? { details: details.trim() } : {}) } });
      if (!mounted()) return;
      setDetails('');
      setDone(true);
      onFiled();
    });
  };

  return (
    <form onSubmit={submit} noValidate className="stack">
      <RequestTypeFields type={type} onType={setType} details={details} onDetails={setDetails} detailsHint />
      {error ? <ErrorNotice error={error} /> : null}
      {done ? <Notice kind="success">{s().filed}</Notice> : null}
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? s().filing : s().file}
      </button>
    </form>
  );
}

function RequestItem({ request, onChanged }: { request: PrivacyRequest; onChanged: () => void }) {
  const { busy, error, mounted, run } = useSubmission();
  const withdraw = () =>
    run(async () => {
      await api(`/privacy/requests/${encodeURIComponent(request.id)}/withdraw`, { method: 'POST', body: {} });
      if (mounted()) onChanged();
    });
  const waiting = WAITING.has(request.status);
  return (
    <li className="stack">
      <strong>{s().types[request.type]}</strong>
      <span>
        {s().status[request.status]} · {formatDay(request.filedAt.slice(0, 10))}
        {waiting ? ` · ${s().due(formatDay(request.dueAt.slice(0, 10)))} · ${s().daysLeft(request.daysLeft)}` : null}
      </span>
      {request.details ? <span className="muted">{request.details}</span> : null}
      {request.resolution ? (
        <span>
          {s().resolution} {request.resolution}
        </span>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
      {waiting ? (
        <button type="button" className="button button--secondary" onClick={withdraw} disabled={busy}>
          {s().withdraw}
        </button>
      ) : null}
    </li>
  );
}

/** The customer's rights requests (P11): file one, follow each with its status, due date and our answer, withdraw. */
export function Requests() {
  const list = useLoad((signal) => api<{ requests: PrivacyRequest[] }>('/privacy/requests?limit=100', { signal }), []);
  return (
    <section className="card" aria-labelledby="requests-title">
      <h2 id="requests-title">{s().title}</h2>
      <p>{s().intro}</p>
      <FileRequest onFiled={list.reload} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.error && !list.data ? <ErrorNotice error={list.error} onRetry={list.reload} /> : null}
      {list.data ? (
        list.data.requests.length === 0 ? (
          <p className="muted">{s().none}</p>
        ) : (
          <ul className="stack">
            {list.data.requests.map((request) => (
              <RequestItem key={request.id} request={request} onChanged={list.reload} />
            ))}
          </ul>
        )
      ) : null}
    </section>
  );
}
