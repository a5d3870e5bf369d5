import { useState } from 'react';
import { ErrorNotice, Loading, Notice } from '../../components/Notice.tsx';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { describeUserAgent } from '../../lib/device.ts';
import { formatDateTime } from '../../lib/format.ts';
import { type Loaded, useMounted } from '../../lib/hooks.ts';
import type { Session } from '../../lib/types.ts';

export function describeSession(session: Session): string {
  if (session.device) return `${session.device.model} · ${session.device.osVersion}`;
  return session.userAgent ? describeUserAgent(session.userAgent) : t.account.browserSession;
}

/** Where the account is signed in, and signing out of the others. */
export function Sessions({ sessions }: { sessions: Loaded<Session[]> }) {
  const mounted = useMounted();
  const [error, setError] = useState<unknown>();
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState<string>();

  const act = async (id: string, work: () => Promise<string | undefined>) => {
    setBusy(id);
    setError(undefined);
    setMessage(undefined);
    try {
      const done = await work();
      if (mounted()) setMessage(done);
      sessions.reload();
    } catch (caught) {
      if (mounted()) setError(caught);
    } finally {
      if (mounted()) setBusy(undefined);
    }
  };
  const revoke = (session: Session) =>
    act(session.id, async () => {
      await api(`/sessions/${encodeURIComponent(session.id)}`, { method: 'DELETE' });
      return undefined;
    });
  const revokeOthers = () =>
    act('others', async () => {
      const { ended } = await api<{ ended: number }>('/sessions/revoke-others', { method: 'POST' });
      return t.account.signedOutOthers(ended);
    });

  const list = sessions.data;
  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">{t.account.sessionsTitle}</h2>
      <p className="muted">{t.account.sessionsIntro}</p>
      {sessions.loading && !list ? <Loading /> : null}
      {sessions.error && !list ? <ErrorNotice error={sessions.error} onRetry={sessions.reload} /> : null}
      {list ? (
        <ul className="rows">
          {list.map((session) => {
            const what = describeSession(session);
            return (
              <li key={session.id} className="row">
                <div>
                  <p>
                    <strong>{what}</strong> {session.current ? <span className="badge badge--current">{t.account.thisBrowser}</span> : null}
                  </p>
                  <p className="muted small">
                    {session.kind === 'device' ? t.account.deviceSession : t.account.browserSession} ·{' '}
                    {t.account.lastUsed(formatDateTime(session.lastUsedAt))}
                    {session.ipPrefix ? ` · ${t.account.network(session.ipPrefix)}` : ''}
                  </p>
                </div>
                {session.current ? null : (
                  <button
                    type="button"
                    className="button button--secondary button--small"
                    onClick={() => revoke(session)}
                    disabled={busy !== undefined}
                    aria-label={t.account.signOutSessionNamed(what)}
                  >
                    {t.account.signOutSession}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      ) : null}
      {list?.some((s) => !s.current) ? (
        <button type="button" className="button button--secondary" onClick={revokeOthers} disabled={busy !== undefined}>
          {t.account.signOutOthers}
        </button>
      ) : null}
      {message ? <Notice kind="success">{message}</Notice> : null}
      {error ? <ErrorNotice error={error} /> : null}
    </section>
  );
}
