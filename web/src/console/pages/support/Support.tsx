import '../operations.css';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { c } from '../../../i18n/console-en.ts';
import type { components } from '../../../lib/api.gen.ts';
import { Link, navigate, useLocation } from '../../../lib/router.tsx';
import { api, errorText } from '../../api.ts';
import { moment } from '../../display.ts';

type Queued = components['schemas']['QueuedSupportConversation'];
type Thread = components['schemas']['StaffSupportThread'];
type Status = Queued['status'];

const s = c.support;
const STATUSES: Status[] = ['open', 'answered', 'closed'];
const badge = (status: Status) => (status === 'open' ? 'badge--waiting' : status === 'answered' ? 'badge--completed' : 'badge--cancelled');

/** The support queue (ADR 34): open conversations the longest-waiting first, or the answered or closed ones. */
function Queue() {
  const { search } = useLocation();
  const requested = search.get('status') as Status | null;
  const status: Status = requested && STATUSES.includes(requested) ? requested : 'open';
  const [items, setItems] = useState<Queued[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const read = useCallback(
    async (cursor?: string) => {
      const query = new URLSearchParams({ status, limit: '50' });
      if (cursor) query.set('cursor', cursor);
      try {
        const page = await api<{ conversations: Queued[]; nextCursor: string | null }>(`/admin/support/conversations?${query}`);
        setItems((before) => (cursor ? [...(before ?? []), ...page.conversations] : page.conversations));
        setNext(page.nextCursor);
        setError(null);
      } catch (cause) {
        setError(errorText(cause));
      }
    },
    [status],
  );

  useEffect(() => {
    setItems(null);
    void read();
  }, [read]);

  return (
    <div>
      <h1 tabIndex={-1}>{s.title}</h1>
      <div className="field field--inline">
        <label htmlFor="support-status">{s.filter}</label>
        <select
          id="support-status"
          value={status}
          onChange={(event) => navigate(`/admin/support${event.target.value === 'open' ? '' : `?status=${event.target.value}`}`)}
        >
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {s.statuses[value]}
            </option>
          ))}
        </select>
      </div>
      <p className="muted">{s.queueHint[status]}</p>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      {items === null ? (
        !error && <p className="loading">{s.loading}</p>
      ) : items.length === 0 ? (
        <p className="muted">{s.empty}</p>
      ) : (
        <section className="card" aria-label={s.queue}>
          <ul className="queue">
            {items.map((item) => (
              <li key={item.id}>
                <Link to={`/admin/support/${item.id}`}>
                  <strong>{item.subject ?? s.noSubject}</strong>{' '}
                  <span className={`badge ${badge(item.status)}`}>{s.statuses[item.status]}</span>
                  <br />
                  <span className="muted">
                    {item.status === 'open' && item.waitingSince
                      ? s.waiting(moment(item.waitingSince))
                      : s.lastActivity(moment(item.lastActivityAt))}
                    {' · '}
                    {s.account} <span className="mono">{item.accountId}</span>
                    {item.orderId && (
                      <>
                        {' · '}
                        {s.order} <span className="mono">{item.orderId}</span>
                      </>
                    )}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          {next && (
            <p>
              <button type="button" className="button button--secondary" onClick={() => void read(next)}>
                {s.more}
              </button>
            </p>
          )}
        </section>
      )}
    </div>
  );
}

/** One conversation: every message and who wrote it, an answer box, and closing. Reading it is a logged staff read. */
function Conversation({ id }: { id: string }) {
  const [thread, setThread] = useState<Thread | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [answer, setAnswer] = useState('');
  const [busy, setBusy] = useState(false);

  const read = useCallback(async () => {
    try {
      setThread(await api<Thread>(`/admin/support/conversations/${encodeURIComponent(id)}`));
      setError(null);
    } catch (cause) {
      setError(errorText(cause));
    }
  }, [id]);

  useEffect(() => {
    void read();
  }, [read]);

  const act = async (action: () => Promise<unknown>, message: string) => {
    setBusy(true);
    setDone(null);
    try {
      await action();
      setError(null);
      setDone(message);
      await read();
      return true;
    } catch (cause) {
      setError(errorText(cause));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!answer.trim()) return;
    const sent = await act(
      () => api(`/admin/support/conversations/${encodeURIComponent(id)}/messages`, { method: 'POST', body: { body: answer } }),
      s.sent,
    );
    if (sent) setAnswer('');
  };

  const conversation = thread?.conversation;
  return (
    <div>
      <p>
        <Link to="/admin/support">{s.back}</Link>
      </p>
      <h1 tabIndex={-1}>{conversation ? (conversation.subject ?? s.noSubject) : s.title}</h1>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      <p role="status" className={done ? 'notice notice--success' : 'visually-hidden'}>
        {done}
      </p>
      {!thread ? (
        !error && <p className="loading">{s.loading}</p>
      ) : (
        <>
          <p className="muted">{s.readLogged}</p>
          <dl className="facts">
            <dt>{s.account}</dt>
            <dd className="mono">{thread.conversation.accountId}</dd>
            {thread.conversation.orderId && (
              <>
                <dt>{s.order}</dt>
                <dd className="mono">{thread.conversation.orderId}</dd>
              </>
            )}
            <dt>{s.status}</dt>
            <dd>
              <span className={`badge ${badge(thread.conversation.status)}`}>{s.statuses[thread.conversation.status]}</span>
            </dd>
          </dl>
          <h2>{s.thread}</h2>
          <ol className="thread">
            {thread.messages.map((message) => (
              <li key={message.id} className={`thread__message thread__message--${message.author}`}>
                <p className="thread__meta">
                  <strong>{message.author === 'staff' ? s.staff(message.staffAccountId ?? '?') : s.customer}</strong> ·{' '}
                  <time dateTime={message.createdAt}>{moment(message.createdAt)}</time>
                </p>
                {message.body ?? <em>{s.erased}</em>}
              </li>
            ))}
          </ol>
          <form className="console-form card" onSubmit={(event) => void send(event)}>
            <div className="field">
              <label htmlFor="support-answer">{s.answer}</label>
              <textarea
                id="support-answer"
                value={answer}
                maxLength={4000}
                required
                aria-describedby="support-answer-hint"
                onChange={(event) => setAnswer(event.target.value)}
              />
              <p id="support-answer-hint" className="field__hint">
                {s.answerHint}
              </p>
            </div>
            <p>
              <button type="submit" className="button button--primary" disabled={busy || !answer.trim()}>
                {s.send}
              </button>
            </p>
          </form>
          {thread.conversation.status !== 'closed' && (
            <p>
              <button
                type="button"
                className="button button--secondary"
                disabled={busy}
                onClick={() =>
                  void act(
                    () => api(`/admin/support/conversations/${encodeURIComponent(id)}/close`, { method: 'POST', body: {} }),
                    s.closed,
                  )
                }
              >
                {s.close}
              </button>
            </p>
          )}
        </>
      )}
    </div>
  );
}

export function SupportPage({ rest }: { rest: string }) {
  return rest ? <Conversation key={rest} id={rest} /> : <Queue />;
}
