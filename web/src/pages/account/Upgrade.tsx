import { type FormEvent, useRef, useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { ErrorNotice, Notice } from '../../components/Notice.tsx';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { focusFirstInvalid } from '../../lib/forms.ts';
import { useMounted } from '../../lib/hooks.ts';
import { useSession } from '../../state/session.tsx';

/** An anonymous account adds an e-mail address and a password, keeping its credits and orders. */
export function Upgrade() {
  const { refresh } = useSession();
  const mounted = useMounted();
  const form = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = { email: email.trim() ? undefined : t.auth.emailRequired, password: password ? undefined : t.auth.passwordRequired };
    setErrors(problems);
    if (problems.email || problems.password) return focusFirstInvalid(form.current);
    setBusy(true);
    setError(undefined);
    try {
      await api('/auth/upgrade', { method: 'POST', body: { email: email.trim(), password } });
      if (mounted()) setDone(true);
      await refresh();
    } catch (caught) {
      if (mounted()) setError(caught);
    } finally {
      if (mounted()) setBusy(false);
    }
  };

  if (done) return <Notice kind="success">{t.account.upgraded}</Notice>;
  return (
    <section className="card" aria-labelledby="upgrade-title">
      <h2 id="upgrade-title">{t.account.upgradeTitle}</h2>
      <p>{t.account.upgradeText}</p>
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
        {error ? <ErrorNotice error={error} /> : null}
        <button type="submit" className="button button--primary" disabled={busy}>
          {t.account.upgradeButton}
        </button>
      </form>
    </section>
  );
}
