import { useEffect } from 'react';
import { PagedList } from '../components/PagedList.tsx';
import { t } from '../i18n/index.ts';
import { onAccountEvent, onLiveOpen } from '../lib/account-events.ts';
import { api } from '../lib/api.ts';
import { formatDateTime } from '../lib/format.ts';
import { usePaged, useTitle } from '../lib/hooks.ts';
import { Link } from '../lib/router.tsx';
import type { SupportConversation } from '../lib/types.ts';

const PAGE = 25;
const s = () => t.support;

const fetchConversations = (cursor: string | undefined, signal: AbortSignal) =>
  api<{ conversations: SupportConversation[]; nextCursor: string | null }>(
    `/support/conversations?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    { signal },
  ).then((answer) => ({ items: answer.conversations, nextCursor: answer.nextCursor }));

const BADGE: Record<SupportConversation['status'], string> = { open: 'waiting', answered: 'received', closed: 'expired' };

export function SupportStatusBadge({ status }: { status: SupportConversation['status'] }) {
  return <span className={`badge badge--${BADGE[status]}`}>{s().status[status]}</span>;
}

/** Keeps a support page current: reload on a `support.message` event (of `conversationId`, if given) and when the stream reconnects. */
export function useSupportLive(reload: () => void, conversationId?: string): void {
  useEffect(() => {
    const stopEvents = onAccountEvent((type, data) => {
      if (type !== 'support.message') return;
      if (conversationId && (data as { conversationId?: unknown } | null)?.conversationId !== conversationId) return;
      reload();
    });
    const stopOpen = onLiveOpen(reload);
    return () => {
      stopEvents();
      stopOpen();
    };
  }, [reload, conversationId]);
}

/** The customer's support conversations (P17), newest first, kept current live; and the way to write a new one. */
export function Support() {
  useTitle(s().title);
  const list = usePaged(fetchConversations, []);
  useSupportLive(list.reload);
  return (
    <div className="support stack">
      <h1 tabIndex={-1}>{s().title}</h1>
      <p className="lead">{s().intro}</p>
      <p>
        <Link to="/support/new" className="button button--primary">
          {s().newConversation}
        </Link>
      </p>
      <section aria-labelledby="support-list-title" className="stack">
        <h2 id="support-list-title">{s().listLabel}</h2>
        <PagedList list={list} empty={s().none}>
          {(items) => (
            <ul className="conversations">
              {items.map((conversation) => (
                <li key={conversation.id}>
                  <Link to={`/support/${encodeURIComponent(conversation.id)}`}>
                    <strong>{conversation.subject ?? s().erased}</strong>
                    <span>
                      <SupportStatusBadge status={conversation.status} />{' '}
                      <span className="muted small">{s().lastActivity(formatDateTime(conversation.lastActivityAt))}</span>
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </PagedList>
      </section>
    </div>
  );
}
