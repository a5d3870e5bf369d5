import { type FormEvent, type ReactNode, useRef, useState } from 'react';
import { focusFirstInvalid } from '../lib/forms.ts';
import { useSubmission, useTitle } from '../lib/hooks.ts';
import { Field } from './Field.tsx';
import { ErrorNotice, Notice } from './Notice.tsx';

interface EmailLinkFormProps {
  title: string;
  intro: ReactNode;
  emailLabel: string;
  /** Said when the address is left empty. */
  emailRequired: string;
  button: string;
  /** The button's words while sending (the button's own words by default). */
  busyButton?: string;
  /** Send the address (trimmed); answers the server's message, the same whether or not an account uses it. */
  send: (email: string) => Promise<string>;
  /** More fields, between the address and the button. */
  children?: ReactNode;
  /** Below the form, and below the answer once sent. */
  footer?: ReactNode;
}

/**
 * A page that asks for an e-mail address to send a link to (a password reset, a request for someone who
 * lost access): the server's answer, the same for every address, replaces the form once sent.
 */
export function EmailLinkForm({ title, intro, emailLabel, emailRequired, button, busyButton, send, children, footer }: EmailLinkFormProps) {
  useTitle(title);
  const { busy, error, mounted, run } = useSubmission();
  const form = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState('');
  const [problem, setProblem] = useState<string>();
  const [sent, setSent] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(email.trim() ? undefined : emailRequired);
    if (!email.trim()) return focusFirstInvalid(form.current);
    await run(async () => {
      const message = await send(email.trim());
      if (mounted()) setSent(message);
    });
  };

  return (
    <div className="auth">
      <h1 tabIndex={-1}>{title}</h1>
      {sent ? (
        <Notice kind="success">{sent}</Notice>
      ) : (
        <>
          <p>{intro}</p>
          <form ref={form} onSubmit={submit} noValidate className="stack">
            <Field
              label={emailLabel}
              type="email"
              autoComplete="email"
              inputMode="email"
              value={email}
              onChange={setEmail}
              error={problem}
            />
            {children}
            {error ? <ErrorNotice error={error} /> : null}
            <button type="submit" className="button button--primary button--wide" disabled={busy}>
              {busy && busyButton ? busyButton : button}
            </button>
          </form>
        </>
      )}
      {footer}
    </div>
  );
}
