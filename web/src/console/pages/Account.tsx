import { type ReactNode, useCallback, useEffect, useId, useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { c } from '../../i18n/console-en.ts';
import { randomId } from '../../lib/random.ts';
import { Link } from '../../lib/router.tsx';
import { api, errorText } from '../api.ts';
import { ActionForm } from '../data.tsx';
import { count, signed, when } from '../format.ts';
import { useStaff } from '../session.tsx';

interface Profile {
  id: string;
  kind: string;
  email: string | null;
  emailVerified: boolean;
  role: string;
  status: string;
  suspendedReason: string | null;
  createdAt: string;
}
interface Purse {
  available: number;
  held: number;
}
interface Activity {
  balance: Purse & { demo: Purse };
  statement: { transferId: string; at: string; kind: string; reason: string; purse: string; change: Purse; balanceAfter: Purse }[];
  orders: { id: string; service: string; country: string; phone: string | null; status: string; price: number; createdAt: string }[];
  rentals?: {
    id: string;
    number: string | null;
    country: string;
    status: string;
    pricePerDay: number;
    endsAt: string;
    endedAt: string | null;
    smsCount: number;
  }[];
  payments: { id: string; status: string; method: string; credits: number; createdAt: string }[];
  sessions: { id: string; kind: string; lastUsedAt: string; userAgent: string | null; ipPrefix: string | null }[];
  securityEvents: { id: string; type: string; occurredAt: string; ipPrefix: string | null; byStaff: boolean }[];
  staffActions: { id: string; actor: string; action: string; reason: string | null; at: string }[];
}

/** A counter to bump when the page should read again (after an action). */
function useReload(): [number, () => void] {
  const [version, setVersion] = useState(0);
  return [version, useCallback(() => setVersion((v) => v + 1), [])];
}

/** One account: profile, balance, statement, orders, payments, sessions, security events, staff actions, and the actions. */
export function AccountPage({ id }: { id: string }) {
  const [version, reload] = useReload();
  const [profile, setProfile] = useState<Profile>();
  const [activity, setActivity] = useState<Activity>();
  const [error, setError] = useState<string>();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the reload signal
  useEffect(() => {
    const controller = new AbortController();
    setError(undefined);
    Promise.all([
      api<Profile>(`/admin/accounts/${encodeURIComponent(id)}`, { signal: controller.signal }),
      api<Activity>(`/admin/accounts/${encodeURIComponent(id)}/activity`, { signal: controller.signal }),
    ]).then(
      ([p, a]) => {
        setProfile(p);
        setActivity(a);
      },
      (failure) => {
        if (!controller.signal.aborted) setError(errorText(failure));
      },
    );
    return () => controller.abort();
  }, [id, version]);

  return (
    <>
      <p>
        <Link to="/admin/accounts">{c.accounts.back}</Link>
      </p>
      <h1 tabIndex={-1}>{profile?.email ?? id}</h1>
      {error ? <p className="notice notice--error">{error}</p> : null}
      {!profile || !activity ? (
        error ? null : (
          <p className="muted">{c.accounts.loading}</p>
        )
      ) : (
        <>
          <section className="console-section card" aria-labelledby="profile">
            <h2 id="profile">{c.accounts.profile}</h2>
            <dl className="console-dl">
              <dt>{c.accounts.columns.account}</dt>
              <dd>{profile.id}</dd>
              <dt>{c.accounts.kind}</dt>
              <dd>{profile.kind}</dd>
              <dt>{c.accounts.columns.role}</dt>
              <dd>{c.roles[profile.role] ?? profile.role}</dd>
              <dt>{c.accounts.columns.status}</dt>
              <dd>{profile.status}</dd>
              {profile.suspendedReason ? (
                <>
                  <dt>{c.accounts.suspendedReason}</dt>
                  <dd>{profile.suspendedReason}</dd>
                </>
              ) : null}
              <dt>{c.accounts.verified}</dt>
              <dd>{profile.emailVerified ? c.accounts.yes : c.accounts.no}</dd>
              <dt>{c.accounts.columns.created}</dt>
              <dd>{when(profile.createdAt)}</dd>
              <dt>{c.accounts.balance}</dt>
              <dd data-testid="balance">
                {c.accounts.available}: {count(activity.balance.available)} · {c.accounts.held}: {count(activity.balance.held)} ·{' '}
                {c.accounts.demo}: {count(activity.balance.demo.available)}
              </dd>
            </dl>
          </section>
          <Actions profile={profile} onDone={reload} />
          <Table
            title={c.accounts.statement}
            head={[c.accounts.col.at, c.accounts.col.kind, c.accounts.col.reason, c.accounts.col.change, c.accounts.col.after]}
            numeric={[3, 4]}
            rows={activity.statement.map((line) => [
              line.transferId,
              when(line.at),
              line.kind,
              line.reason,
              signed(line.change.available),
              count(line.balanceAfter.available),
            ])}
          />
          <Table
            title={c.accounts.orders}
            head={[
              c.accounts.col.order,
              c.accounts.col.service,
              c.accounts.col.country,
              c.accounts.col.number,
              c.accounts.col.status,
              c.accounts.col.price,
            ]}
            numeric={[5]}
            rows={activity.orders.map((order) => [
              order.id,
              order.id,
              order.service,
              order.country,
              order.phone ?? '—',
              order.status,
              count(order.price),
            ])}
          />
          <Table
            title={c.accounts.rentals}
            head={[
              c.accounts.col.number,
              c.accounts.col.country,
              c.accounts.col.status,
              c.accounts.col.periodEnd,
              c.accounts.col.pricePerDay,
              c.accounts.col.sms,
            ]}
            numeric={[4, 5]}
            rows={(activity.rentals ?? []).map((rental) => [
              rental.id,
              rental.number ?? '—',
              rental.country,
              rental.status,
              when(rental.endedAt ?? rental.endsAt),
              count(rental.pricePerDay),
              count(rental.smsCount),
            ])}
          />
          <Table
            title={c.accounts.payments}
            head={[c.accounts.col.payment, c.accounts.col.at, c.accounts.col.method, c.accounts.col.status, c.accounts.col.credits]}
            numeric={[4]}
            rows={activity.payments.map((payment) => [
              payment.id,
              payment.id,
              when(payment.createdAt),
              payment.method,
              payment.status,
              count(payment.credits),
            ])}
          />
          <Table
            title={c.accounts.sessions}
            head={[c.accounts.col.session, c.accounts.col.lastUsed, c.accounts.col.browser, c.accounts.col.network]}
            rows={activity.sessions.map((session) => [
              session.id,
              session.kind,
              when(session.lastUsedAt),
              session.userAgent ?? '—',
              session.ipPrefix ?? '—',
            ])}
          />
          <Table
            title={c.accounts.securityEvents}
            head={[c.accounts.col.at, c.accounts.col.event, c.accounts.col.network, c.accounts.col.byStaff]}
            rows={activity.securityEvents.map((event) => [
              event.id,
              when(event.occurredAt),
              event.type,
              event.ipPrefix ?? '—',
              event.byStaff ? c.accounts.yes : '',
            ])}
          />
          <Table
            title={c.accounts.staffActions}
            head={[c.accounts.col.at, c.accounts.col.actor, c.accounts.col.action, c.accounts.col.reason]}
            rows={activity.staffActions.map((row) => [row.id, when(row.at), row.actor, row.action, row.reason ?? '—'])}
          />
        </>
      )}
    </>
  );
}

/** A titled table; each row starts with its key. */
function Table({ title, head, rows, numeric = [] }: { title: string; head: string[]; rows: ReactNode[][]; numeric?: number[] }) {
  const headingId = useId();
  return (
    <section className="console-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">{c.accounts.empty}</p>
      ) : (
        <div className="console-table-wrap">
          <table className="console-table">
            <thead>
              <tr>
                {head.map((label, index) => (
                  <th key={label} scope="col" className={numeric.includes(index) ? 'numeric' : undefined}>
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map(([key, ...cells]) => (
                <tr key={String(key)}>
                  {cells.map((cell, index) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed by position
                    <td key={index} className={numeric.includes(index) ? 'numeric' : undefined}>
                      {cell}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The staff actions: each a small form with a required reason. Admin-only ones are shown to admins only. */
function Actions({ profile, onDone }: { profile: Profile; onDone: () => void }) {
  const staff = useStaff();
  const [limit, setLimit] = useState<{ credits: number; perDay: number }>();
  useEffect(() => {
    if (staff.role !== 'admin')
      api<{ credits: number; perDay: number }>('/admin/settings/support-grant-limit').then(
        (answer) => setLimit(answer),
        () => undefined,
      );
  }, [staff.role]);
  if (profile.id === staff.id) return <p className="notice notice--warning">{c.accounts.self}</p>;
  if (profile.status === 'deleted') return null;
  const base = `/admin/accounts/${encodeURIComponent(profile.id)}`;
  const admin = staff.role === 'admin';
  return (
    <section className="console-section" aria-labelledby="actions">
      <h2 id="actions">{c.accounts.actions}</h2>
      <div className="console-actions">
        <AccountAction
          title={c.accounts.grant}
          hint={limit !== undefined ? c.accounts.grantLimit(count(limit.credits), count(limit.perDay)) : undefined}
          amount
          run={(reason, amount, key) =>
            api<{ amount: number }>(`${base}/credits`, { method: 'POST', body: { amount, reason }, headers: keyed(key) }).then((answer) =>
              c.accounts.grantDone(count(answer.amount)),
            )
          }
          onDone={onDone}
        />
        {profile.status === 'suspended' ? (
          admin ? (
            <AccountAction
              title={c.accounts.unsuspend}
              run={(reason) => api(`${base}/unsuspend`, { method: 'POST', body: { reason } })}
              onDone={onDone}
            />
          ) : null
        ) : (
          <AccountAction
            title={c.accounts.suspend}
            hint={c.accounts.suspendHint}
            danger
            run={(reason) => api(`${base}/suspend`, { method: 'POST', body: { reason } })}
            onDone={onDone}
          />
        )}
        <AccountAction
          title={c.accounts.restrict}
          hint={c.accounts.restrictHint}
          danger
          run={(reason) => api(`${base}/restrict`, { method: 'POST', body: { reason } })}
          onDone={onDone}
        />
        {admin ? (
          <AccountAction
            title={c.accounts.deduct}
            hint={c.accounts.deductHint}
            amount
            danger
            run={(reason, amount, key) =>
              api<{ amount: number }>(`${base}/credits/deduct`, { method: 'POST', body: { amount, reason }, headers: keyed(key) }).then(
                (answer) => c.accounts.deductDone(count(answer.amount)),
              )
            }
            onDone={onDone}
          />
        ) : null}
        {admin ? (
          <AccountAction
            title={c.accounts.liftRestriction}
            run={(reason) => api(`${base}/lift-restriction`, { method: 'POST', body: { reason } })}
            onDone={onDone}
          />
        ) : null}
        <AccountAction
          title={c.accounts.endSessions}
          hint={c.accounts.endSessionsHint}
          run={(reason) => api(`${base}/end-sessions`, { method: 'POST', body: { reason } })}
          onDone={onDone}
        />
        {admin ? <RoleForm base={base} current={profile.role} onDone={onDone} /> : null}
      </div>
    </section>
  );
}

/** One action on the account: the shared action form with the action's title, hint and, for credits, the amount. */
/** The header that makes a retried grant or deduction one transfer. */
const keyed = (key: string) => ({ 'idempotency-key': key });

function AccountAction({
  title,
  hint,
  amount: withAmount = false,
  danger = false,
  run,
  onDone,
  children,
}: {
  title: string;
  hint?: string;
  children?: ReactNode;
  amount?: boolean;
  danger?: boolean;
  /** `key`: the form's Idempotency-Key, the same for every retry of one amount until it succeeds. */
  run: (reason: string, amount: number, key: string) => Promise<unknown>;
  onDone: () => void;
}) {
  const [amount, setAmount] = useState('');
  const [key, setKey] = useState(randomId);
  return (
    <ActionForm
      label={title}
      submit={withAmount ? title : c.accounts.apply}
      danger={danger}
      reasonLabel={c.accounts.actionReason}
      onSubmit={async (reason) => {
        const answer = await run(reason, Number(amount), key);
        setAmount('');
        setKey(randomId());
        onDone();
        return typeof answer === 'string' ? answer : c.accounts.done;
      }}
    >
      <h3>{title}</h3>
      {hint ? <p className="muted">{hint}</p> : null}
      {children}
      {withAmount ? (
        <Field
          label={c.accounts.amount}
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          required
          value={amount}
          onChange={(value) => {
            // Another amount is another action: a new key (a retry of the old one would be refused as reused).
            setAmount(value);
            setKey(randomId());
          }}
        />
      ) : null}
    </ActionForm>
  );
}

function RoleForm({ base, current, onDone }: { base: string; current: string; onDone: () => void }) {
  const selectId = useId();
  const [role, setRole] = useState(current);
  return (
    <AccountAction
      title={c.accounts.role}
      hint={c.accounts.roleHint}
      run={(reason) => api(`${base}/role`, { method: 'POST', body: { role, reason } })}
      onDone={onDone}
    >
      <div className="field">
        <label htmlFor={selectId}>{c.accounts.newRole}</label>
        <select id={selectId} value={role} onChange={(event) => setRole(event.target.value)}>
          {['customer', 'support', 'admin'].map((value) => (
            <option key={value} value={value}>
              {c.roles[value]}
            </option>
          ))}
        </select>
      </div>
    </AccountAction>
  );
}
