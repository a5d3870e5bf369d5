import { type FormEvent, useRef, useState } from 'react';
import { type Consent, type ConsentErrors, ConsentFields, consentErrors } from '../components/ConsentFields.tsx';
import { ErrorNotice, Loading } from '../components/Notice.tsx';
import { t } from '../i18n/index.ts';
import { ApiError, api } from '../lib/api.ts';
import { deviceDetails, deviceId, deviceSecret, hasDeviceId, saveDeviceToken } from '../lib/device.ts';
import { focusFirstInvalid } from '../lib/forms.ts';
import { useLoad, useMounted, useTitle } from '../lib/hooks.ts';
import { forgetPolicy, loadPolicy } from '../lib/policy.ts';
import { Link, navigate } from '../lib/router.tsx';
import { useSession } from '../state/session.tsx';

/**
 * "Continue anonymously": the account of this browser, keyed by a random device id and proved by the
 * random device secret kept beside it (P1). No e-mail is asked, ever.
 */
export function Anonymous() {
  useTitle(t.auth.anonymousTitle);
  const { refresh } = useSession();
  const mounted = useMounted();
  const form = useRef<HTMLFormElement>(null);
  const policy = useLoad((signal) => loadPolicy(signal), []);
  const [returning] = useState(hasDeviceId);
  const [consent, setConsent] = useState<Consent>({ age: false, policy: false });
  const [errors, setErrors] = useState<ConsentErrors>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  if (policy.loading && !policy.data) return <Loading />;
  if (!policy.data) return <ErrorNotice error={policy.error} onRetry={policy.reload} />;
  const { version, minimumAge } = policy.data;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = consentErrors(consent, minimumAge);
    setErrors(problems);
    if (problems.age || problems.policy) return focusFirstInvalid(form.current);
    setBusy(true);
    setError(undefined);
    try {
      const { token } = await api<{ token: string }>('/auth/device', {
        method: 'POST',
        body: {
          deviceId: deviceId(),
          deviceSecret: deviceSecret(),
          ...deviceDetails(navigator.userAgent),
          ageConfirmed: consent.age,
          policyVersion: version,
        },
      });
      saveDeviceToken(token);
      await refresh();
      navigate('/buy', { replace: true });
    } catch (caught) {
      if (!mounted()) return;
      setError(caught);
      if (caught instanceof ApiError && caught.code === 'POLICY_OUTDATED') {
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
      <h1 tabIndex={-1}>{t.auth.anonymousTitle}</h1>
      <p>{returning ? t.auth.anonymousBack : t.auth.anonymousIntro}</p>
      <form ref={form} onSubmit={submit} noValidate className="stack">
        <ConsentFields minimumAge={minimumAge} value={consent} onChange={setConsent} errors={errors} />
        {error ? <ErrorNotice error={error} /> : null}
        <button type="submit" className="button button--primary button--wide" disabled={busy}>
          {busy ? t.auth.anonymousWorking : t.auth.anonymousButton}
        </button>
      </form>
      <p>
        {t.auth.haveAccount} <Link to="/login">{t.auth.logInButton}</Link>
      </p>
    </div>
  );
}
