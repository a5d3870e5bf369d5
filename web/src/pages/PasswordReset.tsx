import { type FormEvent, useRef, useState } from 'react';
import { EmailLinkForm } from '../components/EmailLinkForm.tsx';
import { Field } from '../components/Field.tsx';
import { ErrorNotice, Notice } from '../components/Notice.tsx';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { focusFirstInvalid } from '../lib/forms.ts';
import { useSubmission, useTitle } from '../lib/hooks.ts';
import { Link, useLocation } from '../lib/router.tsx';

/** Step 1: ask for a link (the answer is the same whether or not the address has an account). */
export function ForgotPassword() {
  const send = async (email: string) =>
    (await api<{ message: string }>('/auth/password-reset', { method: 'POST', body: { email } })).message;
  return (
    <EmailLinkForm
      title={t.auth.forgotTitle}
      intro={t.auth.forgotIntro}
      emailLabel={t.auth.email}
      emailRequired={t.auth.emailRequired}
      button={t.auth.forgotButton}
      send={send}
      footer={
        <p>
          <Link to="/login">{t.auth.logInButton}</Link>
        </p>
      }
    />
  );
}

/** Step 2, from the e-mail's link `/reset-password?token=…`: choose the new password. */
export function ResetPassword() {
  useTitle(t.auth.resetTitle);
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const { busy, error, mounted, run } = useSubmission();
  const form = useRef<HTMLFormElement>(null);
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string>();
  // What the reset ended that the owner must redo (API keys, webhook endpoints), once it is done.
  const [done, setDone] = useState<{ apiKeysRevoked: number; webhookEndpointsDisabled: number }>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(password ? undefined : t.auth.passwordRequired);
    if (!password) return focusFirstInvalid(form.current);
    await run(async () => {
      const answer = await api<{ apiKeysRevoked: number; webhookEndpointsDisabled?: number }>('/auth/password-reset/confirm', {
        method: 'POST',
        body: { token, password },
      });
      if (mounted()) setDone({ apiKeysRevoked: answer.apiKeysRevoked, webhookEndpointsDisabled: answer.webhookEndpointsDisabled ?? 0 });
    });
  };

  return (
    <div className="auth">
      <h1 tabIndex={-1}>{t.auth.resetTitle}</h1>
      {!token ? (
        <Notice kind="error">
          {t.auth.resetMissingToken} <Link to="/forgot-password">{t.auth.forgotButton}</Link>
        </Notice>
      ) : done !== undefined ? (
        <>
          <Notice kind="success">
            {t.auth.resetDone}
            {done.apiKeysRevoked > 0 ? ` ${t.auth.resetKeysRevoked(done.apiKeysRevoked)}` : ''}
            {done.webhookEndpointsDisabled > 0 ? ` ${t.auth.resetEndpointsDisabled(done.webhookEndpointsDisabled)}` : ''}
          </Notice>
          <p>
            <Link to="/login" className="button button--primary">
              {t.auth.logInButton}
            </Link>
          </p>
        </>
      ) : (
        <form ref={form} onSubmit={submit} noValidate className="stack">
          <Field
            label={t.auth.newPassword}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={setPassword}
            hint={t.auth.passwordHint}
            error={problem}
          />
          {error ? <ErrorNotice error={error} /> : null}
          <button type="submit" className="button button--primary button--wide" disabled={busy}>
            {t.auth.resetButton}
          </button>
        </form>
      )}
    </div>
  );
}
