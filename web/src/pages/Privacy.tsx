import { type FormEvent, useRef, useState } from 'react';
import { Checkbox } from '../components/Field.tsx';
import { ErrorNotice, Loading, Notice } from '../components/Notice.tsx';
import { AccessLog } from '../components/privacy/AccessLog.tsx';
import { ExportData } from '../components/privacy/ExportData.tsx';
import { Requests } from '../components/privacy/Requests.tsx';
import { t } from '../i18n/index.ts';
import { ApiError, api } from '../lib/api.ts';
import { formatDay } from '../lib/format.ts';
import { focusFirstInvalid } from '../lib/forms.ts';
import { useLoad, useMounted, useTitle } from '../lib/hooks.ts';
import { Markdown } from '../lib/markdown.tsx';
import { forgetPolicy, loadPolicy } from '../lib/policy.ts';
import { Link } from '../lib/router.tsx';
import type { Policy } from '../lib/types.ts';
import { useSession } from '../state/session.tsx';

/** P14: a newer policy is shown with its date and must be accepted (with the age confirmation given again). */
function AcceptPolicy({ policy, onReload, onAccepted }: { policy: Policy; onReload: () => void; onAccepted: () => void }) {
  const { refresh } = useSession();
  const mounted = useMounted();
  const form = useRef<HTMLFormElement>(null);
  const [age, setAge] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(age ? undefined : t.auth.ageRequired(policy.minimumAge));
    if (!age) return focusFirstInvalid(form.current);
    setBusy(true);
    setError(undefined);
    try {
      await api('/privacy/consent', { method: 'POST', body: { policyVersion: policy.version, ageConfirmed: true } });
      onAccepted();
      await refresh();
    } catch (caught) {
      if (!mounted()) return;
      setError(caught);
      if (caught instanceof ApiError && caught.code === 'POLICY_OUTDATED') {
        forgetPolicy();
        onReload();
      }
    } finally {
      if (mounted()) setBusy(false);
    }
  };

  return (
    <section className="card card--attention" aria-labelledby="accept-title">
      <h2 id="accept-title">{t.privacy.acceptTitle}</h2>
      <p>{t.privacy.acceptText(formatDay(policy.lastUpdated))}</p>
      <form ref={form} onSubmit={submit} noValidate className="stack">
        <Checkbox checked={age} onChange={setAge} error={problem}>
          {t.auth.ageConfirm(policy.minimumAge)}
        </Checkbox>
        {error ? <ErrorNotice error={error} /> : null}
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? t.privacy.accepting : t.privacy.acceptButton}
        </button>
      </form>
    </section>
  );
}

/** The privacy centre: the policy in force with its date, its acceptance when it changed, and how to exercise your rights. */
export function Privacy() {
  const { state } = useSession();
  const signedIn = state.status === 'signed-in';
  useTitle(signedIn ? t.privacy.title : t.privacy.publicTitle);
  const policy = useLoad((signal) => loadPolicy(signal), []);
  const [accepted, setAccepted] = useState(false);
  const mustAccept = state.status === 'signed-in' && state.me.policy.acceptanceRequired;

  return (
    <div className="privacy">
      <h1 tabIndex={-1}>{signedIn ? t.privacy.title : t.privacy.publicTitle}</h1>
      {policy.loading && !policy.data ? <Loading /> : null}
      {policy.error && !policy.data ? <ErrorNotice error={policy.error} onRetry={policy.reload} /> : null}
      {policy.data ? (
        <>
          <p className="muted">
            {t.privacy.lastUpdated(formatDay(policy.data.lastUpdated))} · {t.privacy.version(policy.data.version)}
          </p>
          {mustAccept ? <AcceptPolicy policy={policy.data} onReload={policy.reload} onAccepted={() => setAccepted(true)} /> : null}
          {accepted && !mustAccept ? <Notice kind="success">{t.privacy.accepted}</Notice> : null}
          {signedIn ? (
            <section className="card" aria-labelledby="rights-title">
              <h2 id="rights-title">{t.privacy.rightsTitle}</h2>
              <p>{t.privacy.rightsText}</p>
            </section>
          ) : (
            <p>
              <Link to="/privacy/requests/by-email">{t.privacyRequests.lostAccessLink}</Link>
            </p>
          )}
          {signedIn ? <ExportData /> : null}
          {signedIn ? <Requests /> : null}
          {signedIn ? <AccessLog /> : null}
          <article className="policy card" aria-label={t.privacy.policyTitle}>
            <Markdown text={policy.data.text} baseLevel={2} />
          </article>
        </>
      ) : null}
    </div>
  );
}
