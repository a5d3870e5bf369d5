import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { announce } from '../components/Announcer.tsx';
import { ErrorNotice, Loading } from '../components/Notice.tsx';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { formatCount, formatDateTime } from '../lib/format.ts';
import { useLoad, useMounted, useTitle } from '../lib/hooks.ts';
import { Link } from '../lib/router.tsx';
import type { SupportMessage, SupportThread } from '../lib/types.ts';
import { MAX_BODY } from './NewSupportConversation.tsx';
import { SupportStatusBadge, useSupportLive } from './Support.tsx';

const s = () => t.support;

function Message({ message }: { message: SupportMessage }) {
  return (
    <li className={`thread__message thread__message--${message.author}`}>
      <span className="thread__meta">
        <strong>{message.author === 'staff' ? s().staff : s().you}</strong> ·{' '}
        <time dateTime={message.createdAt}>{formatDateTime(message.createdAt)}</time>
      </span>
      {message.body ?? <span className="muted">{s().erased}</span>}
    </li>
  );
}

/** Reply in the conversation; a closed conversation opens again. */
function Reply({ id, onSent }: { id: string; onSent: (thread: SupportThread) => void }) {
  const fieldId = useId();
  const mounted = useMounted();
  const [body, setBody] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (body.trim().length === 0) {
      setInvalid(true);
      field.current?.focus();
      return;
    }
    setInvalid(false);
    setBusy(true);
    setError(undefined);
    try {
      const thread = await api<SupportThread>(`/support/conversations/${encodeURIComponent(id)}/messages`, {
        method: 'POST',
        body: { body: body.trim() },
      });
      if (!mounted()) return;
      setBody('');
      onSent(thread);
    } catch (caught) {
      if (mounted()) setError(caught);
    } finally {
      if (mounted()) setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate className="stack">
      <div className="field">
        <label htmlFor={fieldId}>{s().replyLabel}</label>
        <textarea
          ref={field}
          id={fieldId}
          value={body}
          rows={4}
          maxLength={MAX_BODY}
          onChange={(event) => setBody(event.target.value)}
          aria-describedby={`${fieldId}-hint${invalid ? ` ${fieldId}-error` : ''}`}
          aria-invalid={invalid ? true : undefined}
        />
        <p id={`${fieldId}-hint`} className="field__hint">
          {s().bodyHint(formatCount(MAX_BODY))}
        </p>
        {invalid ? (
          <p id={`${fieldId}-error`} className="field__error">
            {s().bodyRequired}
          </p>
        ) : null}
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? s().sending : s().reply}
      </button>
    </form>
  );
}

/** One support conversation: its messages (support's answers arrive live), a reply box, and closing it. */
export function SupportConversation({ id }: { id: string }) {
  const mounted = useMounted();
  const loaded = useLoad((signal) => api<SupportThread>(`/support/conversations/${encodeURIComponent(id)}`, { signal }), [id]);
  const [thread, setThread] = useState<SupportThread>();
  const [closeError, setCloseError] = useState<unknown>();
  const [closing, setClosing] = useState(false);
  const staffCount = useRef<number | undefined>(undefined);
  useTitle(thread?.conversation.subject ?? s().title);

  // biome-ignore lint/correctness/useExhaustiveDependencies: another conversation starts from nothing
  useEffect(() => {
    setThread(undefined);
    staffCount.current = undefined;
  }, [id]);
  useEffect(() => {
    if (loaded.data) setThread(loaded.data);
  }, [loaded.data]);
  useSupportLive(loaded.reload, id);
  // A new answer from support is said aloud, not only shown.
  useEffect(() => {
    if (!thread) return;
    const answers = thread.messages.filter((message) => message.author === 'staff').length;
    if (staffCount.current !== undefined && answers > staffCount.current) announce(s().newAnswer);
    staffCount.current = answers;
  }, [thread]);

  const close = useCallback(async () => {
    setClosing(true);
    setCloseError(undefined);
    try {
      const closed = await api<SupportThread>(`/support/conversations/${encodeURIComponent(id)}/close`, { method: 'POST', body: {} });
      if (mounted()) setThread(closed);
    } catch (caught) {
      if (mounted()) setCloseError(caught);
    } finally {
      if (mounted()) setClosing(false);
    }
  }, [id, mounted]);

  if (!thread) {
    return (
      <div className="support stack">
        <p>
          <Link to="/support">{s().back}</Link>
        </p>
        <h1 tabIndex={-1}>{s().title}</h1>
        {loaded.error ? <ErrorNotice error={loaded.error} onRetry={loaded.reload} /> : <Loading />}
      </div>
    );
  }
  const { conversation, messages } = thread;
  return (
    <div className="support stack">
      <p>
        <Link to="/support">{s().back}</Link>
      </p>
      <h1 tabIndex={-1}>{conversation.subject ?? s().erased}</h1>
      <p>
        <SupportStatusBadge status={conversation.status} />
        {conversation.orderId ? (
          <span className="muted small">
            {' '}
            · {s().aboutOrder} <span translate="no">{conversation.orderId}</span>
          </span>
        ) : null}
      </p>
      <section aria-labelledby="thread-title" className="card stack">
        <h2 id="thread-title" className="visually-hidden">
          {s().messagesLabel}
        </h2>
        <ol className="thread" aria-live="polite" aria-relevant="additions">
          {messages.map((message) => (
            <Message key={message.id} message={message} />
          ))}
        </ol>
      </section>
      {conversation.status === 'closed' ? <p className="muted">{s().closedNote}</p> : null}
      <div className="card stack">
        <Reply id={id} onSent={setThread} />
      </div>
      {conversation.status !== 'closed' ? (
        <p>
          {closeError ? <ErrorNotice error={closeError} /> : null}
          <button type="button" className="button button--secondary" onClick={() => void close()} disabled={closing}>
            {closing ? s().closing : s().close}
          </button>
        </p>
      ) : null}
    </div>
  );
}
