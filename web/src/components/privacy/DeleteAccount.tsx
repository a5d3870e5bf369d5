import { type FormEvent, useRef, useState } from 'react';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { formatCredits } from '../../lib/format.ts';
import { focusFirstInvalid } from '../../lib/forms.ts';
import { useMounted } from '../../lib/hooks.ts';
import { navigate } from '../../lib/router.tsx';
import { useMe, useSession } from '../../state/session.tsx';
import { Field } from '../Field.tsx';
import { ErrorNotice } from '../Notice.tsx';

/**
 * "Delete my account" (P12, ADR 27): says exactly what happens, asks an e-mail account for its
 * password and everyone for a typed confirmation, then deletes the account (POST /privacy/delete),
 * signs out here and shows the goodbye page.
 */
export function DeleteAccount() {
  const { state } = useSession();
  // Signed out the moment the deletion is done: nothing is shown then (the goodbye page replaces it).
  return state.status === 'signed-in' ? <DeleteForm /> : null;
}

function DeleteForm() {
  const me = useMe();
  const { signOut } = useSession();
  const mounted = useMounted();
  const form = useRef<HTMLFormElement>(null);
  const needsPassword = me.kind === 'email';
  const word = t.deleteAccount.confirmWord;
  const [password, setPassword] = useState('');
  const [typed, setTyped] = useState('');
  const [errors, setErrors] = useState<{ password?: string; typed?: string }>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const credits = me.balance.available + me.balance.held;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = {
      password: needsPassword && !password ? t.deleteAccount.passwordRequired : undefined,
      typed: typed.trim() === word ? undefined : t.deleteAccount.confirmMismatch(word),
    };
    setErrors(problems);
    if (problems.password || problems.typed) return focusFirstInvalid(form.current);
    setBusy(true);
    setError(undefined);
    try {
      await api('/privacy/delete', { method: 'POST', body: needsPassword ? { confirm: true, password } : { confirm: true } });
      // Leave this page first (it needs a signed-in account), then forget the session the server already ended.
      navigate('/goodbye', { replace: true });
      await signOut();
    } catch (caught) {
      if (mounted()) {
        setError(caught);
        setBusy(false);
      }
    }
  };

  return (
    <section className="card" aria-labelledby="delete-account-title">
      <h2 id="delete-account-title">{t.deleteAccount.title}</h2>
      <p>{t.deleteAccount.intro}</p>
      <ul>
        <li>{credits > 0 ? t.deleteAccount.credits(formatCredits(credits)) : t.deleteAccount.noCredits}</li>
        <li>{t.deleteAccount.orders}</li>
        <li>{t.deleteAccount.access}</li>
        <li>{t.deleteAccount.payments}</li>
        <li>{t.deleteAccount.data}</li>
        <li>{t.deleteAccount.kept}</li>
      </ul>
      <form ref={form} onSubmit={submit} noValidate className="stack">
        {needsPassword ? (
          <Field
            label={t.deleteAccount.password}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
            error={errors.password}
          />
        ) : null}
        <Field label={t.deleteAccount.confirmLabel(word)} value={typed} onChange={setTyped} error={errors.typed} autoComplete="off" />
        {error ? <ErrorNotice error={error} /> : null}
        <button type="submit" className="button button--danger" disabled={busy}>
          {busy ? t.deleteAccount.working : t.deleteAccount.button}
        </button>
      </form>
    </section>
  );
}
