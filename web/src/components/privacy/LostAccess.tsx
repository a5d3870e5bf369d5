import { type FormEvent, useId, useRef, useState } from 'react';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { focusFirstInvalid } from '../../lib/forms.ts';
import { useLoad, useMounted, useTitle } from '../../lib/hooks.ts';
import { useLocation } from '../../lib/router.tsx';
import type { PrivacyRequest, PrivacyRequestType } from '../../lib/types.ts';
import { Field } from '../Field.tsx';
import { ErrorNotice, Loading, Notice } from '../Notice.tsx';
import { REQUEST_TYPES } from './Requests.tsx';

const s = () => t.privacyRequests;

/** `/privacy/requests/by-email`: a request for someone who lost access; the same answer for every address. */
export function LostAccessRequest() {
  useTitle(s().lostTitle);
  const id = useId();
  const mounted = useMounted();
  const form = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState('');
  const [type, setType] = useState<PrivacyRequestType>('access');
  const [details, setDetails] = useState('');
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(email.trim() ? undefined : s().emailRequired);
    if (!email.trim()) return focusFirstInvalid(form.current);
    setBusy(true);
    setError(undefined);
    try {
      const body = { email: email.trim(), type, ...(details.trim() ? { details: details.trim() } : {}) };
      const { message } = await api<{ message: string }>('/privacy/requests/by-email', { method: 'POST', body });
      if (mounted()) setSent(message);
    } catch (caught) {
      if (mounted()) setError(caught);
    } finally {
      if (mounted()) setBusy(false);
    }
  };

  return (
    <div className="auth">
      <h1 tabIndex={-1}>{s().lostTitle}</h1>
      {sent ? (
        <Notice kind="success">{sent}</Notice>
      ) : (
        <>
          <p>{s().lostIntro}</p>
          <form ref={form} onSubmit={submit} noValidate className="stack">
            <Field label={s().emailLabel} type="email" autoComplete="email" value={email} onChange={setEmail} error={problem} />
            <div className="field">
              <label htmlFor={`${id}-type`}>{s().typeLabel}</label>
              <select
                id={`${id}-type`}
                value={type}
                onChange={(event) => setType(event.target.value as PrivacyRequestType)}
                aria-describedby={`${id}-explain`}
              >
                {REQUEST_TYPES.map((value) => (
                  <option key={value} value={value}>
                    {s().types[value]}
                  </option>
                ))}
              </select>
              <p id={`${id}-explain`} className="field__hint">
                {s().explain[type]}
              </p>
            </div>
            <div className="field">
              <label htmlFor={`${id}-details`}>{s().detailsLabel}</label>
              <textarea
                id={`${id}-details`}
                value={details}
                maxLength={2000}
                rows={3}
                onChange={(event) => setDetails(event.target.value)}
              />
            </div>
            {error ? <ErrorNotice error={error} /> : null}
            <button type="submit" className="button button--primary button--wide" disabled={busy}>
              {busy ? s().filing : s().file}
            </button>
          </form>
        </>
      )}
    </div>
  );
}

// A token works once: one request per token, however many times the page renders or mounts.
const verifications = new Map<string, Promise<PrivacyRequest>>();
const verify = (token: string) => {
  const pending = verifications.get(token) ?? api<PrivacyRequest>('/privacy/requests/verify', { method: 'POST', body: { token } });
  verifications.set(token, pending);
  return pending;
};

/** `/privacy/requests/verify?token=…`, the e-mail's link: confirms the request as soon as the page opens. */
export function VerifyPrivacyRequest() {
  useTitle(s().verifyTitle);
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const result = useLoad(async () => (token ? verify(token) : undefined), [token]);
  return (
    <div className="auth">
      <h1 tabIndex={-1}>{s().verifyTitle}</h1>
      {!token ? (
        <Notice kind="error">{s().verifyMissingToken}</Notice>
      ) : result.loading ? (
        <Loading label={s().verifying} />
      ) : result.data ? (
        <Notice kind="success">{s().verified}</Notice>
      ) : (
        <ErrorNotice error={result.error} />
      )}
    </div>
  );
}
