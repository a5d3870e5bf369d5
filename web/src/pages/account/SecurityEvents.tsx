import { PagedList } from '../../components/PagedList.tsx';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { describeUserAgent } from '../../lib/device.ts';
import { formatDateTime } from '../../lib/format.ts';
import { type Paged, usePaged } from '../../lib/hooks.ts';
import type { SecurityEvent } from '../../lib/types.ts';

const fetchEvents = (cursor: string | undefined, signal: AbortSignal) =>
  api<{ events: SecurityEvent[]; nextCursor: string | null }>(
    `/security-events?limit=20${cursor ? `&before=${encodeURIComponent(cursor)}` : ''}`,
    {
      signal,
    },
  ).then((answer) => ({ items: answer.events, nextCursor: answer.nextCursor }));

export const eventWords = (type: string): string => t.account.eventTypes[type] ?? type.replaceAll('_', ' ');

export function useSecurityEvents(): Paged<SecurityEvent> {
  return usePaged(fetchEvents, []);
}

export function SecurityEvents({ events }: { events: Paged<SecurityEvent> }) {
  return (
    <section className="card" aria-labelledby="events-title">
      <h2 id="events-title">{t.account.eventsTitle}</h2>
      <p className="muted">{t.account.eventsIntro}</p>
      <PagedList list={events} empty={t.account.eventsEmpty}>
        {(items) => (
          <ul className="rows">
            {items.map((event) => (
              <li key={event.id} className="row">
                <div>
                  <p>
                    <strong>{eventWords(event.type)}</strong>
                    {event.byStaff ? <span className="muted"> ({t.account.byStaff})</span> : null}
                  </p>
                  <p className="muted small">
                    <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt)}</time>
                    {event.userAgent ? ` · ${describeUserAgent(event.userAgent)}` : ''}
                    {event.ipPrefix ? ` · ${t.account.network(event.ipPrefix)}` : ''}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        )}
      </PagedList>
    </section>
  );
}
