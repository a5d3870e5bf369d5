import { type FormEvent, useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { c } from '../../i18n/console-en.ts';
import { api, errorText } from '../api.ts';
import { ErrorNotice } from '../data.tsx';
import { useConsoleSession } from '../session.tsx';

type Step = 'password' | 'code' | 'recovery';

/** E-mail and password, then the authenticator's code (or a recovery code): POST /auth/login, /auth/login/totp. */
export function SignIn() {
  const { refresh } = useConsoleSession();
  const [step, setStep] = useState<Step>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const run = async (event: FormEvent, action: () => Promise<void>) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };

  const submitPassword = (event: FormEvent) =>
    run(event, async () => {
      const answer = await api<{ secondFactor?: 'totp' }>('/auth/login', { method: 'POST', body: { email, password } });
      setPassword('');
      if (answer.secondFactor) setStep('code');
      else await refresh();
    });
  const submitCode = (event: FormEvent) =>
    run(event, async () => {
      const body = step === 'code' ? { code: code.replace(/\s/g, '') } : { recoveryCode: code.trim() };
      await api('/auth/login/totp', { method: 'POST', body });
      await refresh();
    });

  return (
    <main id="main" className="console-auth" tabIndex={-1}>
      <h1>{step === 'password' ? c.signIn.title : c.signIn.codeTitle}</h1>
      <ErrorNotice message={error} />
      {step === 'password' ? (
        <form onSubmit={submitPassword} className="card">
          <p>{c.signIn.intro}</p>
          <Field label={c.signIn.email} type="email" autoComplete="username" required value={email} onChange={setEmail} />
          <Field
            label={c.signIn.password}
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={setPassword}
          />
          <button className="button button--primary button--wide" type="submit" disabled={busy}>
            {c.signIn.submit}
          </button>
        </form>
      ) : (
        <form onSubmit={submitCode} className="card">
          <p>{step === 'code' ? c.signIn.codeIntro : c.signIn.recoveryHint}</p>
          {step === 'code' ? (
            <Field
              label={c.signIn.code}
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="\s*\d{3}\s*\d{3}\s*"
              required
              autoFocus
              value={code}
              onChange={setCode}
            />
          ) : (
            <Field label={c.signIn.recovery} autoComplete="off" required autoFocus value={code} onChange={setCode} />
          )}
          <button className="button button--primary button--wide" type="submit" disabled={busy}>
            {c.signIn.verify}
          </button>
          <button
            className="button button--ghost button--wide"
            type="button"
            onClick={() => {
              setCode('');
              setError(undefined);
              setStep(step === 'code' ? 'recovery' : 'code');
            }}
          >
            {step === 'code' ? c.signIn.useRecovery : c.signIn.useCode}
          </button>
          <button
            className="button button--ghost button--wide"
            type="button"
            onClick={() => {
              setCode('');
              setError(undefined);
              setStep('password');
            }}
          >
            {c.signIn.startOver}
          </button>
        </form>
      )}
    </main>
  );
}
