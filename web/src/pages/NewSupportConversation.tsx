import { type FormEvent, useId, useRef, useState } from 'react';
import { Field } from '../components/Field.tsx';
import { ErrorNotice } from '../components/Notice.tsx';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { countryName, serviceName, useCatalogNames } from '../lib/catalog-data.ts';
import { formatCount, formatDateTime } from '../lib/format.ts';
import { focusFirstInvalid } from '../lib/forms.ts';
import { useLoad, useMounted, useTitle } from '../lib/hooks.ts';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import type { Activation, SupportThread } from '../lib/types.ts';

const s = () => t.support;
/** The server's limit on a message (support/states.ts). */
export const MAX_BODY = 4000;

/** Write to support: a subject, optionally one of the customer's recent orders (preselected from `?order=`), the message. */
export function NewSupportConversation() {
  useTitle(s().newTitle);
  useCatalogNames();
  const { search } = useLocation();
  const id = useId();
  const mounted = useMounted();
  const form = useRef<HTMLFormElement>(null);
  const [subject, setSubject] = useState('');
  const [orderId, setOrderId] = useState(search.get('order') ?? '');
  const [body, setBody] = useState('');
  const [invalid, setInvalid] = useState<{ subject?: string; body?: string }>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const orders = useLoad((signal) => api<{ activations: Activation[] }>('/activations?limit=25', { signal }), []);
  const recent = orders.data?.activations ?? [];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = {
      subject: subject.trim().length < 3 ? s().subjectRequired : undefined,
      body: body.trim().length === 0 ? s().bodyRequired : undefined,
    };
    setInvalid(problems);
    if (problems.subject || problems.body) {
      focusFirstInvalid(form.current);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const thread = await api<SupportThread>('/support/conversations', {
        method: 'POST',
        body: { subject: subject.trim(), body: body.trim(), ...(orderId ? { orderId } : {}) },
      });
      if (mounted()) navigate(`/support/${encodeURIComponent(thread.conversation.id)}`);
    } catch (caught) {
      if (mounted()) setError(caught);
    } finally {
      if (mounted()) setBusy(false);
    }
  };

  return (
    <div className="support stack">
      <p>
        <Link to="/support">{s().back}</Link>
      </p>
      <h1 tabIndex={-1}>{s().newTitle}</h1>
      <p className="muted">{s().emailNote}</p>
      <form ref={form} onSubmit={submit} noValidate className="stack card">
        <Field
          label={s().subjectLabel}
          value={subject}
          onChange={setSubject}
          hint={s().subjectHint}
          error={invalid.subject}
          maxLength={200}
          required
        />
        <div className="field">
          <label htmlFor={`${id}-order`}>{s().orderLabel}</label>
          <select id={`${id}-order`} value={orderId} onChange={(event) => setOrderId(event.target.value)}>
            <option value="">{s().noOrder}</option>
            {orderId && !recent.some((order) => order.id === orderId) ? (
              <option value={orderId}>{s().orderNotListed(orderId)}</option>
            ) : null}
            {recent.map((order) => (
              <option key={order.id} value={order.id}>
                {s().orderOption(serviceName(order.service), countryName(order.country), formatDateTime(order.createdAt))}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-body`}>{s().bodyLabel}</label>
          <textarea
            id={`${id}-body`}
            value={body}
            rows={6}
            maxLength={MAX_BODY}
            required
            onChange={(event) => setBody(event.target.value)}
            aria-describedby={`${id}-body-hint${invalid.body ? ` ${id}-body-error` : ''}`}
            aria-invalid={invalid.body ? true : undefined}
          />
          <p id={`${id}-body-hint`} className="field__hint">
            {s().bodyHint(formatCount(MAX_BODY))}
          </p>
          {invalid.body ? (
            <p id={`${id}-body-error`} className="field__error">
              {invalid.body}
            </p>
          ) : null}
        </div>
        {error ? <ErrorNotice error={error} /> : null}
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? s().sending : s().send}
        </button>
      </form>
    </div>
  );
}
