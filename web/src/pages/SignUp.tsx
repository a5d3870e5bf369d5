import { type FormEvent, useRef, useState } from 'react';
import { type Consent, type ConsentErrors, ConsentFields, consentErrors } from '../components/ConsentFields.tsx';
import { Field } from '../components/Field.tsx';
import { ErrorNotice, Loading } from '../components/Notice.tsx';
import { t } from '../i18n/index.ts';
import { ApiError, api } from '../lib/api.ts';
import { forgetDeviceToken } from '../lib/device.ts';
import { focusFirstInvalid } from '../lib/forms.ts';
import { useLoad, useMounted, useTitle } from '../lib/hooks.ts';
import { forgetPolicy, loadPolicy, useAccountKinds } from '../lib/policy.ts';
import { Link, navigate } from '../lib/router.tsx';
import { useSession } from '../state/session.tsx';

export function SignUp() {
  useTitle(t.auth.signUpTitle);
  const offered = useAccountKinds();
  const { refresh } = useSession();
  const mounted = useMounted();
  const form = useRef<HTMLFormElement>(null);
  const policy = useLoad((signal) => loadPolicy(signal), []);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [consent, setConsent] = useState<Consent>({ age: false, policy: false });
  const [errors, setErrors] = useState<{ email?: string; password?: string } & ConsentErrors>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  if (policy.loading && !policy.data) return <Loading />;
  if (!policy.data) return <ErrorNotice error={policy.error} onRetry={policy.reload} />;
  const { version, minimumAge } = policy.data;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = {
      email: email.trim() ? undefined : t.auth.emailRequired,
      password: password ? undefined : t.auth.passwordRequired,
      ...consentErrors(consent, minimumAge),
    };
    setErrors(problems);
    if (Object.values(problems).some(Boolean)) return focusFirstInvalid(form.current);
    setBusy(true);
    setError(undefined);
    try {
      await api('/auth/signup', {
        method: 'POST',
        body: { email: email.trim(), password, ageConfirmed: consent.age, policyVersion: version },
      });
      forgetDeviceToken();
      await refresh();
      navigate('/buy', { replace: true });
    } catch (caught) {
      if (!mounted()) return;
      setError(caught);
      if (caught instanceof ApiError && caught.code === 'POLICY_OUTDATED') {
        // The policy changed while the form was open: show the new one, to be read and accepted again.
        forgetPolicy();
        setConsent({ ...consent, policy: false });
        policy.reload();
      }
    } finally {
      if (mounted()) setBusy(false);
    }
  };

  return (
    <div className="auth">
      <h1 tabIndex={-1}>{t.auth.signUpTitle}</h1>
      <form ref={form} onSubmit={submit} noValidate className="stack">
        <Field
          label={t.auth.email}
          type="email"
          autoComplete="email"
          inputMode="email"
          value={email}
          onChange={setEmail}
          error={errors.email}
        />
        <Field
          label={t.auth.password}
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          hint={t.auth.passwordHint}
          error={errors.password}
        />
        <ConsentFields minimumAge={minimumAge} value={consent} onChange={setConsent} errors={errors} />
        {error ? <ErrorNotice error={error} /> : null}
        <button type="submit" className="button button--primary button--wide" disabled={busy}>
          {busy ? t.auth.signingUp : t.auth.signUpButton}
        </button>
      </form>
      <p>
        {t.auth.haveAccount} <Link to="/login">{t.auth.logInButton}</Link>
      </p>
      {offered.device ? (
        <p>
          {t.auth.orAnonymous} <Link to="/start">{t.auth.anonymousButton}</Link>
        </p>
      ) : null}
    </div>
  );
}
