import { type FormEvent, useRef, useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { ErrorNotice, Notice } from '../../components/Notice.tsx';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { focusFirstInvalid } from '../../lib/forms.ts';
import { useMounted } from '../../lib/hooks.ts';

export function ChangePassword({ onChanged }: { onChanged: () => void }) {
  const mounted = useMounted();
  const form = useRef<HTMLFormElement>(null);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState<{ current?: string; next?: string }>({});
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = { current: current ? undefined : t.auth.passwordRequired, next: next ? undefined : t.auth.passwordRequired };
    setErrors(problems);
    if (problems.current || problems.next) return focusFirstInvalid(form.current);
    setBusy(true);
    setError(undefined);
    setDone(false);
    try {
      await api('/auth/password', { method: 'POST', body: { currentPassword: current, newPassword: next } });
      if (!mounted()) return;
      setDone(true);
      setCurrent('');
      setNext('');
      onChanged();
    } catch (caught) {
      if (mounted()) setError(caught);
    } finally {
      if (mounted()) setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">{t.account.passwordTitle}</h2>
      <form ref={form} onSubmit={submit} noValidate className="stack">
        <Field
          label={t.auth.currentPassword}
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={setCurrent}
          error={errors.current}
        />
        <Field
          label={t.auth.newPassword}
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={setNext}
          hint={t.auth.passwordHint}
          error={errors.next}
        />
        {error ? <ErrorNotice error={error} /> : null}
        {done ? <Notice kind="success">{t.account.passwordChanged}</Notice> : null}
        <button type="submit" className="button button--secondary" disabled={busy}>
          {t.account.passwordButton}
        </button>
      </form>
    </section>
  );
}
