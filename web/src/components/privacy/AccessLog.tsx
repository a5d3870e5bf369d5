import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { formatDateTime } from '../../lib/format.ts';
import { usePaged } from '../../lib/hooks.ts';
import type { StaffAccess } from '../../lib/types.ts';
import { PagedList } from '../PagedList.tsx';

const fetchAccessLog = (cursor: string | undefined, signal: AbortSignal) =>
  api<{ items: StaffAccess[]; nextCursor: string | null }>(
    `/privacy/access-log?limit=20${cursor ? `&before=${encodeURIComponent(cursor)}` : ''}`,
    { signal },
  );

/** What a read was, in words (an unknown code as it is, readable). */
export const readWords = (what: string): string => t.accessLog.what[what] ?? what.replaceAll(/[._]/g, ' ');

/** "Who accessed my data": every read of this account's data by staff, newest first. */
export function AccessLog() {
  const list = usePaged(fetchAccessLog, []);
  return (
    <section className="card" aria-labelledby="access-log-title">
      <h2 id="access-log-title">{t.accessLog.title}</h2>
      <p className="muted">{t.accessLog.intro}</p>
      <PagedList list={list} empty={t.accessLog.empty}>
        {(items) => (
          <ul className="rows">
            {items.map((access) => (
              <li key={access.id} className="row">
                <div>
                  <p>
                    <strong>{readWords(access.what)}</strong>
                  </p>
                  <p className="muted small">
                    <time dateTime={access.at}>{formatDateTime(access.at)}</time>
                    {' · '}
                    {t.accessLog.by(t.accessLog.roles[access.role] ?? access.role, access.staffRef)}
                  </p>
                  {access.reason ? <p className="small">{t.accessLog.reason(access.reason)}</p> : null}
                </div>
              </li>
            ))}
          </ul>
        )}
      </PagedList>
    </section>
  );
}
