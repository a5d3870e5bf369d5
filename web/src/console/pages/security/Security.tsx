import '../operations.css';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { c } from '../../../i18n/console-en.ts';
import type { components, paths } from '../../../lib/api.gen.ts';
import { Link } from '../../../lib/router.tsx';
import { api, errorText } from '../../api.ts';
import { setDayRange } from '../../data.tsx';
import { moment } from '../../display.ts';

type StaffSecurityEvent = components['schemas']['StaffSecurityEvent'];
type Lockout = components['schemas']['Lockout'];
type AuditEntry = components['schemas']['AuditEntry'];
type EventType = NonNullable<NonNullable<paths['/api/v1/admin/security/events']['get']['parameters']['query']>['type']>;

const s = c.security;

// Every type the API filters by (the record makes the compiler check that none is missing).
const TYPES = Object.keys({
  signup: 1,
  login_succeeded: 1,
  login_failed: 1,
  login_throttled: 1,
  logout: 1,
  device_signed_in: 1,
  device_sign_in_failed: 1,
  account_upgraded: 1,
  email_verified: 1,
  password_changed: 1,
  password_reset_requested: 1,
  password_reset_completed: 1,
  signup_with_existing_email: 1,
  session_revoked: 1,
  api_key_created: 1,
  api_key_revoked: 1,
  role_changed: 1,
  account_suspended: 1,
  account_unsuspended: 1,
  policy_accepted: 1,
  data_exported: 1,
  reauthentication_failed: 1,
  reauthentication_throttled: 1,
  two_factor_enrolment_issued: 1,
  two_factor_enrolled: 1,
  two_factor_failed: 1,
  two_factor_throttled: 1,
  recovery_code_used: 1,
  two_factor_reset: 1,
} satisfies Record<EventType, 1>) as EventType[];

const words = (code: string) => code.replaceAll(/[._]/g, ' ');
const json = (details: Record<string, unknown> | null | undefined) =>
  details && Object.keys(details).length > 0 ? JSON.stringify(details) : '';
/** The day after an ISO date (YYYY-MM-DD), for an inclusive "until" day. */

function ErrorNotice({ error }: { error: string | null }) {
  return error ? (
    <p className="notice notice--error" role="alert">
      {error}
    </p>
  ) : null;
}

/** A list read page by page from an API answering `{ [key]: T[], nextCursor }`. */
function usePaged<T>(key: string, path: string | null) {
  const [items, setItems] = useState<T[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const read = useCallback(
    async (cursor?: string) => {
      if (path === null) return;
      try {
        const page = await api<Record<string, unknown>>(`${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        const got = page[key] as T[];
        setItems((before) => (cursor ? [...(before ?? []), ...got] : got));
        setNext((page.nextCursor as string | null) ?? null);
        setError(null);
      } catch (cause) {
        setError(errorText(cause));
      }
    },
    [key, path],
  );
  useEffect(() => {
    setItems(null);
    void read();
  }, [read]);
  return { items, next, error, more: () => next && void read(next) };
}

function MoreButton({ next, onClick }: { next: string | null; onClick: () => void }) {
  return next ? (
    <p>
      <button type="button" className="button button--secondary" onClick={onClick}>
        {s.more}
      </button>
    </p>
  ) : null;
}

function Events() {
  const [type, setType] = useState('');
  const [account, setAccount] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [query, setQuery] = useState('limit=50');
  const { items, next, error, more } = usePaged<StaffSecurityEvent>('events', `/admin/security/events?${query}`);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams({ limit: '50' });
    if (type) params.set('type', type);
    if (account.trim()) params.set('accountId', account.trim());
    setDayRange(params, from, to);
    setQuery(params.toString());
  };

  return (
    <section aria-labelledby="security-events">
      <h2 id="security-events">{s.sections.events}</h2>
      <form className="console-filters console-form" aria-label={s.filters} onSubmit={apply}>
        <div className="field">
          <label htmlFor="sec-type">{s.type}</label>
          <select id="sec-type" value={type} onChange={(event) => setType(event.target.value)}>
            <option value="">{s.anyType}</option>
            {TYPES.map((value) => (
              <option key={value} value={value}>
                {words(value)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="sec-account">{s.account}</label>
          <input id="sec-account" value={account} onChange={(event) => setAccount(event.target.value)} placeholder="acc_…" />
        </div>
        <div className="field">
          <label htmlFor="sec-from">{s.from}</label>
          <input id="sec-from" type="date" value={from} onChange={(event) => setFrom(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="sec-to">{s.to}</label>
          <input id="sec-to" type="date" value={to} onChange={(event) => setTo(event.target.value)} />
        </div>
        <p>
          <button type="submit" className="button button--primary">
            {s.apply}
          </button>
        </p>
      </form>
      <ErrorNotice error={error} />
      {items === null ? (
        !error && <p className="loading">{s.loading}</p>
      ) : items.length === 0 ? (
        <p className="muted">{s.noEvents}</p>
      ) : (
        <div className="console-table-wrap">
          <table className="console-table console-table--stack">
            <caption className="visually-hidden">{s.sections.events}</caption>
            <thead>
              <tr>
                <th scope="col">{s.when}</th>
                <th scope="col">{s.what}</th>
                <th scope="col">{s.accountCol}</th>
                <th scope="col">{s.by}</th>
                <th scope="col">{s.network}</th>
                <th scope="col">{s.device}</th>
                <th scope="col">{s.details}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((event) => (
                <tr key={event.id} className={/failed|throttled/.test(event.type) ? 'is-alert' : undefined}>
                  <th scope="row">{moment(event.occurredAt)}</th>
                  <td data-label={s.what}>{words(event.type)}</td>
                  <td data-label={s.accountCol} className="mono">
                    {event.accountId ?? '—'}
                  </td>
                  <td data-label={s.by} className="mono">
                    {event.actor ?? s.self}
                  </td>
                  <td data-label={s.network} className="mono">
                    {event.ipPrefix ?? '—'}
                  </td>
                  <td data-label={s.device}>{event.userAgent ?? '—'}</td>
                  <td data-label={s.details} className="mono">
                    {json(event.details)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <MoreButton next={next} onClick={more} />
    </section>
  );
}

function Lockouts() {
  const [lockouts, setLockouts] = useState<Lockout[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ lockouts: Lockout[] }>('/admin/security/lockouts')
      .then((answer) => setLockouts(answer.lockouts))
      .catch((cause) => setError(errorText(cause)));
  }, []);
  return (
    <section aria-labelledby="security-lockouts">
      <h2 id="security-lockouts">{s.sections.lockouts}</h2>
      <p className="muted">{s.lockoutsIntro}</p>
      <ErrorNotice error={error} />
      {lockouts === null ? (
        !error && <p className="loading">{s.loading}</p>
      ) : lockouts.length === 0 ? (
        <p className="muted">{s.noLockouts}</p>
      ) : (
        <div className="console-table-wrap">
          <table className="console-table console-table--stack">
            <caption className="visually-hidden">{s.sections.lockouts}</caption>
            <thead>
              <tr>
                <th scope="col">{s.kind}</th>
                <th scope="col">{s.subject}</th>
                <th scope="col" className="numeric">
                  {s.failures}
                </th>
                <th scope="col">{s.until}</th>
              </tr>
            </thead>
            <tbody>
              {lockouts.map((lockout) => (
                <tr key={`${lockout.kind}-${lockout.ref}`}>
                  <th scope="row">{s.kinds[lockout.kind] ?? lockout.kind}</th>
                  <td data-label={s.subject} className="mono">
                    {lockout.accountId ?? lockout.ref}
                  </td>
                  <td data-label={s.failures} className="numeric">
                    {lockout.failures}
                  </td>
                  <td data-label={s.until}>{moment(lockout.blockedUntil)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Audit() {
  const [action, setAction] = useState('');
  const [account, setAccount] = useState('');
  const [query, setQuery] = useState('limit=50');
  const { items, next, error, more } = usePaged<AuditEntry>('entries', `/admin/security/audit?${query}`);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams({ limit: '50' });
    if (action.trim()) params.set('action', action.trim());
    if (account.trim()) params.set('accountId', account.trim());
    setQuery(params.toString());
  };
  return (
    <section aria-labelledby="security-audit">
      <h2 id="security-audit">{s.sections.audit}</h2>
      <p className="muted">{s.auditIntro}</p>
      <form className="console-filters console-form" aria-label={s.filters} onSubmit={apply}>
        <div className="field">
          <label htmlFor="aud-action">{s.actionFilter}</label>
          <input id="aud-action" value={action} onChange={(event) => setAction(event.target.value)} placeholder="support.answered" />
        </div>
        <div className="field">
          <label htmlFor="aud-account">{s.account}</label>
          <input id="aud-account" value={account} onChange={(event) => setAccount(event.target.value)} placeholder="acc_…" />
        </div>
        <p>
          <button type="submit" className="button button--primary">
            {s.apply}
          </button>
        </p>
      </form>
      <ErrorNotice error={error} />
      {items === null ? (
        !error && <p className="loading">{s.loading}</p>
      ) : items.length === 0 ? (
        <p className="muted">{s.noAudit}</p>
      ) : (
        <div className="console-table-wrap">
          <table className="console-table console-table--stack">
            <caption className="visually-hidden">{s.sections.audit}</caption>
            <thead>
              <tr>
                <th scope="col">{s.when}</th>
                <th scope="col">{s.actor}</th>
                <th scope="col">{s.action}</th>
                <th scope="col">{s.accountCol}</th>
                <th scope="col">{s.reason}</th>
                <th scope="col">{s.details}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <tr key={entry.id}>
                  <th scope="row">{moment(entry.occurredAt)}</th>
                  <td data-label={s.actor} className="mono">
                    {entry.actor}
                  </td>
                  <td data-label={s.action}>{entry.action}</td>
                  <td data-label={s.accountCol} className="mono">
                    {entry.accountId ?? '—'}
                  </td>
                  <td data-label={s.reason}>{entry.reason ?? '—'}</td>
                  <td data-label={s.details} className="mono">
                    {json(entry.details)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <MoreButton next={next} onClick={more} />
    </section>
  );
}

const SECTIONS = ['events', 'lockouts', 'audit'] as const;

/** Security review (admin): security events across accounts, current lockouts, the staff audit log; one per sub-page. */
export function SecurityPage({ rest }: { rest: string }) {
  const section = (SECTIONS as readonly string[]).includes(rest) ? (rest as (typeof SECTIONS)[number]) : 'events';
  return (
    <div>
      <h1 tabIndex={-1}>{s.title}</h1>
      <nav aria-label={s.title}>
        <ul className="segmented">
          {SECTIONS.map((name) => (
            <li key={name}>
              <Link
                to={name === 'events' ? '/admin/security' : `/admin/security/${name}`}
                className="button button--secondary button--small"
                aria-current={section === name ? 'page' : undefined}
              >
                {s.sections[name]}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {section === 'events' ? <Events /> : section === 'lockouts' ? <Lockouts /> : <Audit />}
    </div>
  );
}
