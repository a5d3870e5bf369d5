import { type FormEvent, useRef, useState } from 'react';
import { Field } from '../components/Field.tsx';
import { ErrorNotice, Notice } from '../components/Notice.tsx';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { forgetDeviceToken } from '../lib/device.ts';
import { focusFirstInvalid } from '../lib/forms.ts';
import { useMounted, useTitle } from '../lib/hooks.ts';
import { useAccountKinds } from '../lib/policy.ts';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { useSession } from '../state/session.tsx';

/** Where to go after signing in: only a path of this app, never another site. */
export function safeNext(next: string | null): string {
  return next && /^\/(?!\/)/.test(next) ? next : '/buy';
}

export function LogIn() {
  useTitle(t.auth.logInTitle);
  const offered = useAccountKinds();
  const { state, refresh } = useSession();
  const { search } = useLocation();
  const mounted = useMounted();
  const form = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = { email: email.trim() ? undefined : t.auth.emailRequired, password: password ? undefined : t.auth.passwordRequired };
    setErrors(problems);
    if (problems.email || problems.password) return focusFirstInvalid(form.current);
    setBusy(true);
    setError(undefined);
    try {
      await api('/auth/login', { method: 'POST', body: { email: email.trim(), password } });
      // The e-mail account's cookie now speaks for this browser, not the anonymous account's token.
      forgetDeviceToken();
      await refresh();
      navigate(safeNext(search.get('next')), { replace: true });
    } catch (caught) {
      if (mounted()) setError(caught);
    } finally {
      if (mounted()) setBusy(false);
    }
  };

  return (
    <div className="auth">
      <h1 tabIndex={-1}>{t.auth.logInTitle}</h1>
      {state.status === 'signed-out' && state.expired ? <Notice kind="warning">{t.auth.expired}</Notice> : null}
      <form ref={form} onSubmit={submit} noValidate className="stack">
        <Field
          label={t.auth.email}
          type="email"
          autoComplete="username"
          inputMode="email"
          value={email}
          onChange={setEmail}
          error={errors.email}
        />
        <Field
          label={t.auth.password}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          error={errors.password}
        />
        {error ? <ErrorNotice error={error} /> : null}
        <button type="submit" className="button button--primary button--wide" disabled={busy}>
          {busy ? t.auth.loggingIn : t.auth.logInButton}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">{t.auth.forgot}</Link>
      </p>
      {offered.email ? (
        <p>
          {t.auth.noAccount} <Link to="/signup">{t.auth.signUpButton}</Link>
        </p>
      ) : null}
      {offered.device ? (
        <p>
          {t.auth.orAnonymous} <Link to="/start">{t.auth.anonymousButton}</Link>
        </p>
      ) : null}
    </div>
  );
}
