import '../operations.css';
import { type FormEvent, useState } from 'react';
import { c } from '../../../i18n/console-en.ts';
import type { components, paths } from '../../../lib/api.gen.ts';
import { Link } from '../../../lib/router.tsx';
import { api } from '../../api.ts';
import { ActionForm, DoneNotice, LoadState, MoreButton, setDayRange, useLoad, usePagedList } from '../../data.tsx';
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
function Events() {
  const [type, setType] = useState('');
  const [account, setAccount] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const list = usePagedList<StaffSecurityEvent, { events: StaffSecurityEvent[]; nextCursor: string | null }>('/admin/security/events', {
    key: 'events',
    query: 'limit=50',
  });

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams({ limit: '50' });
    if (type) params.set('type', type);
    if (account.trim()) params.set('accountId', account.trim());
    setDayRange(params, from, to);
    list.search(params);
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
      <LoadState state={list.state} />
      {list.state.status !== 'ready' ? null : list.items.length === 0 ? (
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
              {list.items.map((event) => (
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
      <MoreButton list={list} label={s.more} />
    </section>
  );
}

/** What a lockout blocks, in words, and who: the account where the key names one, else the key's short reference. */
const kindName = (lockout: Lockout) => s.kinds[lockout.kind] ?? lockout.kind;
const subjectOf = (lockout: Lockout) => lockout.accountId ?? lockout.ref;

function Lockouts() {
  const { state, reload } = useLoad<{ lockouts: Lockout[] }>('/admin/security/lockouts');
  const lockouts = state.status === 'ready' ? state.data.lockouts : null;
  const [lifting, setLifting] = useState<Lockout>();
  const [lifted, setLifted] = useState<string>();
  return (
    <section aria-labelledby="security-lockouts">
      <h2 id="security-lockouts">{s.sections.lockouts}</h2>
      <p className="muted">{s.lockoutsIntro}</p>
      <LoadState state={state} />
      <DoneNotice message={lifted} />
      {lockouts === null ? null : lockouts.length === 0 ? (
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
                <th scope="col">
                  <span className="visually-hidden">{s.liftColumn}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {lockouts.map((lockout) => (
                <tr key={`${lockout.kind}-${lockout.ref}`}>
                  <th scope="row">{kindName(lockout)}</th>
                  <td data-label={s.subject} className="mono">
                    {subjectOf(lockout)}
                  </td>
                  <td data-label={s.failures} className="numeric">
                    {lockout.failures}
                  </td>
                  <td data-label={s.until}>{moment(lockout.blockedUntil)}</td>
                  <td>
                    <button
                      className="button button--ghost button--small"
                      type="button"
                      aria-label={s.liftLabel(kindName(lockout), subjectOf(lockout))}
                      onClick={() => {
                        setLifted(undefined);
                        setLifting(lockout);
                      }}
                    >
                      {s.lift}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {lifting ? (
        <ActionForm
          label={s.liftTitle}
          submit={s.liftSubmit}
          onCancel={() => setLifting(undefined)}
          onSubmit={async (reason) => {
            await api(`/admin/security/lockouts/${encodeURIComponent(lifting.ref)}/lift`, { method: 'POST', body: { reason } });
            setLifting(undefined);
            setLifted(s.liftDone(kindName(lifting), subjectOf(lifting)));
            reload();
          }}
        >
          <h3>{s.liftTitle}</h3>
          <p className="small muted">{s.liftIntro(kindName(lifting), subjectOf(lifting))}</p>
        </ActionForm>
      ) : null}
    </section>
  );
}

function Audit() {
  const [action, setAction] = useState('');
  const [account, setAccount] = useState('');
  const list = usePagedList<AuditEntry, { entries: AuditEntry[]; nextCursor: string | null }>('/admin/security/audit', {
    key: 'entries',
    query: 'limit=50',
  });
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams({ limit: '50' });
    if (action.trim()) params.set('action', action.trim());
    if (account.trim()) params.set('accountId', account.trim());
    list.search(params);
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
      <LoadState state={list.state} />
      {list.state.status !== 'ready' ? null : list.items.length === 0 ? (
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
              {list.items.map((entry) => (
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
      <MoreButton list={list} label={s.more} />
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
