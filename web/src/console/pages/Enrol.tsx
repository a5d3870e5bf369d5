import { type FormEvent, useEffect, useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { QrCode } from '../../components/QrCode.tsx';
import { c } from '../../i18n/console-en.ts';
import { navigate } from '../../lib/router.tsx';
import { api, errorText } from '../api.ts';

interface Enrolment {
  email: string;
  secret: string;
  otpauthUri: string;
  expiresAt: string;
  /** The account was made on the console and has no password yet: this page asks for the member's own. */
  newPasswordRequired: boolean;
}

/** The token of the enrolment link, read once from the fragment (never sent in a URL), which is then removed. */
function takeToken(): string | undefined {
  const match = /token=([\w-]+)/.exec(window.location.hash);
  if (match) window.history.replaceState(null, '', window.location.pathname);
  return match?.[1];
}

/** /admin/enrol#token=…: the secret as a QR code and as text, a code to confirm, then the recovery codes, once. */
export function Enrol() {
  const [token] = useState(takeToken);
  const [enrolment, setEnrolment] = useState<Enrolment>();
  const [code, setCode] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!token) return;
    api<Enrolment>('/auth/enrol', { method: 'POST', body: { token } }).then(setEnrolment, (failure) => setError(errorText(failure)));
  }, [token]);

  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api<{ recoveryCodes: string[] }>('/auth/enrol/confirm', {
        method: 'POST',
        body: { token, code: code.replace(/\s/g, ''), ...(enrolment?.newPasswordRequired ? { newPassword } : {}) },
      });
      setRecoveryCodes(answer.recoveryCodes);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };

  const alert = error ? (
    <p className="notice notice--error" role="alert">
      {error}
    </p>
  ) : null;

  if (recoveryCodes) {
    return (
      <main id="main" className="console-auth" tabIndex={-1}>
        <h1>{c.enrol.recoveryTitle}</h1>
        <div className="card">
          <p>{c.enrol.recoveryIntro}</p>
          <ol className="recovery-codes" aria-label={c.enrol.recoveryList}>
            {recoveryCodes.map((recovery) => (
              <li key={recovery}>
                <code>{recovery}</code>
              </li>
            ))}
          </ol>
          <button className="button button--primary button--wide" type="button" onClick={() => navigate('/admin', { replace: true })}>
            {c.enrol.saved}
          </button>
        </div>
      </main>
    );
  }

  return (
    <main id="main" className="console-auth" tabIndex={-1}>
      <h1>{c.enrol.title}</h1>
      {!token ? <p className="notice notice--warning">{c.enrol.noToken}</p> : null}
      {alert}
      {token && !enrolment && !error ? <p className="muted">{c.enrol.loading}</p> : null}
      {enrolment ? (
        <form className="card" onSubmit={confirm}>
          <p>{c.enrol.scan(enrolment.email)}</p>
          <div className="enrol__qr">
            <QrCode text={enrolment.otpauthUri} label={c.enrol.qrLabel} />
          </div>
          <p>{c.enrol.manual}</p>
          <p>
            <code className="enrol__secret" data-testid="totp-secret">
              {enrolment.secret}
            </code>
          </p>
          <details>
            <summary>{c.enrol.uri}</summary>
            <code className="enrol__uri">{enrolment.otpauthUri}</code>
          </details>
          {enrolment.newPasswordRequired ? (
            <Field
              label={c.enrol.newPassword}
              type="password"
              autoComplete="new-password"
              required
              minLength={8}
              value={newPassword}
              onChange={setNewPassword}
              hint={c.enrol.newPasswordHint}
            />
          ) : null}
          <p>{c.enrol.confirmIntro}</p>
          <Field
            label={c.enrol.code}
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="\s*\d{3}\s*\d{3}\s*"
            required
            value={code}
            onChange={setCode}
          />
          <button className="button button--primary button--wide" type="submit" disabled={busy}>
            {c.enrol.confirm}
          </button>
          <p className="muted">{c.enrol.expires(new Date(enrolment.expiresAt).toLocaleString())}</p>
        </form>
      ) : null}
    </main>
  );
}
