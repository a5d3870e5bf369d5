import { useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { c } from '../../i18n/console-en.ts';
import { api, errorText } from '../api.ts';
import { ActionForm, DoneNotice, ErrorNotice, formatWhen, LoadState, OpenButton, useLoad } from '../data.tsx';

export interface QueuedRequest {
  id: string;
  accountId: string;
  type: 'access' | 'rectification' | 'erasure' | 'portability' | 'objection' | 'restriction' | 'withdraw_consent';
  details: string | null;
  status: 'unverified' | 'open' | 'in_progress' | 'completed' | 'refused' | 'withdrawn';
  filedAt: string;
  dueAt: string;
  daysLeft: number;
  overdue: boolean;
  handledBy: string | null;
  processingRestricted: boolean;
}

export interface RetentionRun {
  id: string;
  status: 'running' | 'succeeded' | 'failed' | 'abandoned';
  instanceId: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  result: { purged?: Record<string, number>; cleared?: Record<string, number>; interrupted?: boolean } | null;
  error: string | null;
}

export interface RetentionPreview {
  at: string;
  targets: {
    table: string;
    action: 'delete' | 'clear';
    columns: string[];
    after: string;
    cutoff: string;
    days: number;
    setting: string | null;
    rows: number;
    dependents: { table: string; rows: number }[];
  }[];
  purged: Record<string, number>;
  cleared: Record<string, number>;
}

const t = c.privacy;
const total = (counts: Record<string, number> | undefined) => Object.values(counts ?? {}).reduce((sum, n) => sum + n, 0);

/** Privacy: the rights-request queue (due first) with its actions, and retention's runs and dry run. */
export function PrivacyPage() {
  return (
    <>
      <h1 tabIndex={-1}>{t.title}</h1>
      <RequestQueue />
      <Retention />
    </>
  );
}

type Move = 'start' | 'complete' | 'refuse';

/** Each move's words and the body it sends with the text typed (a reason, or the customer's note). */
const MOVES: Record<Move, { title: (id: string) => string; intro: string; submit: string; field: string; done: (id: string) => string }> = {
  start: { title: t.startTitle, intro: t.startIntro, submit: t.startSubmit, field: t.reason, done: t.started },
  complete: { title: t.completeTitle, intro: t.completeIntro, submit: t.completeSubmit, field: t.note, done: t.completed },
  refuse: { title: t.refuseTitle, intro: t.refuseIntro, submit: t.refuseSubmit, field: t.reason, done: t.refused },
};
const bodyOf = (move: Move, text: string) =>
  move === 'start' ? { status: 'in_progress', reason: text } : { status: move === 'complete' ? 'completed' : 'refused', note: text };

function RequestQueue() {
  const { state, reload } = useLoad<{ requests: QueuedRequest[] }>('/admin/privacy/requests');
  const [open, setOpen] = useState<{ id: string; what: Move }>();
  const [done, setDone] = useState<string>();
  const requests = state.status === 'ready' ? state.data.requests : [];
  const finish = (message: string) => {
    setOpen(undefined);
    setDone(message);
    reload();
  };
  const current = open ? requests.find((request) => request.id === open.id) : undefined;
  const moveButton = (request: QueuedRequest, what: Move, label: string, quiet = false) => (
    <OpenButton
      label={label}
      open={open?.id === request.id && open.what === what}
      onClick={() => setOpen({ id: request.id, what })}
      quiet={quiet}
    />
  );

  return (
    <section className="console-section" aria-labelledby="privacy-queue">
      <h2 id="privacy-queue">{t.queueTitle}</h2>
      <p className="muted">{t.queueIntro}</p>
      <DoneNotice message={done} />
      <LoadState state={state} />
      {state.status === 'ready' && requests.length === 0 ? <p className="empty">{t.empty}</p> : null}
      {requests.length > 0 ? (
        <div className="console-table-wrap">
          <table className="console-table console-table--cards">
            <caption className="visually-hidden">{t.queueTitle}</caption>
            <thead>
              <tr>
                <th scope="col">{t.request}</th>
                <th scope="col">{t.account}</th>
                <th scope="col">{t.due}</th>
                <th scope="col">{t.status}</th>
                <th scope="col">{t.actions}</th>
              </tr>
            </thead>
            <tbody>
              {requests.map((request) => (
                <tr key={request.id} className={request.overdue ? 'overdue' : undefined}>
                  <th scope="row" data-label={t.request}>
                    {t.types[request.type]} <span className="muted small">({request.id})</span>
                    {request.details ? <span className="small"> — {request.details}</span> : null}
                  </th>
                  <td data-label={t.account}>
                    {request.accountId}
                    {request.processingRestricted ? <span className="small"> · {t.restricted}</span> : null}
                  </td>
                  <td data-label={t.due} className={request.overdue ? 'overdue' : undefined}>
                    {request.overdue ? <strong>{t.overdue(-request.daysLeft)}</strong> : t.daysLeft(request.daysLeft)}
                    <span className="small muted"> {formatWhen(request.dueAt)}</span>
                  </td>
                  <td data-label={t.status}>
                    {t.statuses[request.status] ?? request.status}
                    {request.handledBy ? <span className="small muted"> · {t.handledBy(request.handledBy)}</span> : null}
                  </td>
                  <td data-label={t.actions}>
                    <div className="row__actions">
                      {request.status === 'open' ? moveButton(request, 'start', t.start(request.id)) : null}
                      {moveButton(request, 'complete', t.complete(request.id))}
                      {moveButton(request, 'refuse', t.refuse(request.id), true)}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {current && open ? (
        <ActionForm
          key={`${current.id}-${open.what}`}
          label={MOVES[open.what].title(current.id)}
          submit={MOVES[open.what].submit}
          danger={open.what === 'refuse'}
          reasonLabel={MOVES[open.what].field}
          onCancel={() => setOpen(undefined)}
          onSubmit={async (text) => {
            await api(`/admin/privacy/requests/${current.id}`, { method: 'POST', body: bodyOf(open.what, text) });
            finish(MOVES[open.what].done(current.id));
          }}
        >
          <h3>{MOVES[open.what].title(current.id)}</h3>
          <p className="small muted">{MOVES[open.what].intro}</p>
        </ActionForm>
      ) : null}
      <Lift onDone={(message) => finish(message)} />
    </section>
  );
}

function Lift({ onDone }: { onDone: (message: string) => void }) {
  const [id, setId] = useState('');
  return (
    <ActionForm
      label={t.liftTitle}
      submit={t.liftSubmit}
      onSubmit={async (reason) => {
        await api(`/admin/privacy/requests/${encodeURIComponent(id.trim())}/lift`, { method: 'POST', body: { reason } });
        onDone(t.lifted(id.trim()));
        setId('');
      }}
    >
      <h3>{t.liftTitle}</h3>
      <p className="small muted">{t.liftIntro}</p>
      <Field label={t.liftId} value={id} onChange={setId} required autoComplete="off" />
    </ActionForm>
  );
}

function Retention() {
  const runs = useLoad<{ name: string; intervalMs: number; runs: RetentionRun[] }>('/admin/privacy/retention');
  const [preview, setPreview] = useState<RetentionPreview>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const dryRun = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setPreview(await api<RetentionPreview>('/admin/privacy/retention/preview'));
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="console-section" aria-labelledby="retention">
      <h2 id="retention">{t.retentionTitle}</h2>
      <p className="muted">{t.retentionIntro}</p>
      <LoadState state={runs.state} />
      {runs.state.status === 'ready' && runs.state.data.runs.length === 0 ? <p className="empty">{t.noRuns}</p> : null}
      {runs.state.status === 'ready' && runs.state.data.runs.length > 0 ? (
        <div className="console-table-wrap">
          <table className="console-table console-table--cards">
            <caption className="visually-hidden">{t.runsCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{t.runStarted}</th>
                <th scope="col">{t.status}</th>
                <th scope="col" className="numeric">
                  {t.deleted}
                </th>
                <th scope="col" className="numeric">
                  {t.emptied}
                </th>
                <th scope="col">{t.details}</th>
              </tr>
            </thead>
            <tbody>
              {runs.state.data.runs.map((run) => (
                <tr key={run.id}>
                  <th scope="row" data-label={t.runStarted}>
                    {formatWhen(run.startedAt)}
                    {run.durationMs !== null ? <span className="small muted"> ({(run.durationMs / 1000).toFixed(1)} s)</span> : null}
                  </th>
                  <td data-label={t.status}>{t.runStatuses[run.status]}</td>
                  <td className="numeric" data-label={t.deleted}>
                    {total(run.result?.purged)}
                  </td>
                  <td className="numeric" data-label={t.emptied}>
                    {total(run.result?.cleared)}
                  </td>
                  <td data-label={t.details}>
                    {run.error ??
                      Object.entries({ ...run.result?.purged, ...run.result?.cleared })
                        .map(([table, n]) => `${table}: ${n}`)
                        .join(', ')}
                    {run.result?.interrupted ? ` ${t.interrupted}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p>
        <button className="button button--secondary" type="button" onClick={() => void dryRun()} disabled={busy}>
          {t.dryRun}
        </button>
      </p>
      <ErrorNotice message={error} />
      {preview ? (
        <div aria-live="polite">
          <p>{t.previewSummary(formatWhen(preview.at), total(preview.purged), total(preview.cleared))}</p>
          <div className="console-table-wrap">
            <table className="console-table console-table--cards">
              <caption className="visually-hidden">{t.previewCaption}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.table}</th>
                  <th scope="col">{t.action}</th>
                  <th scope="col" className="numeric">
                    {t.rows}
                  </th>
                  <th scope="col">{t.period}</th>
                </tr>
              </thead>
              <tbody>
                {preview.targets.map((target) => (
                  <tr key={`${target.table}-${target.action}-${target.columns.join(',')}`}>
                    <th scope="row" data-label={t.table}>
                      {target.table}
                    </th>
                    <td data-label={t.action}>{target.action === 'delete' ? t.deleteAction : t.clearAction(target.columns.join(', '))}</td>
                    <td className="numeric" data-label={t.rows}>
                      {target.rows}
                      {target.dependents.map((dependent) => (
                        <span key={dependent.table} className="small muted">
                          {' '}
                          {t.withDependent(dependent.table, dependent.rows)}
                        </span>
                      ))}
                    </td>
                    <td data-label={t.period}>{t.periodText(target.days, target.after, target.setting)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </section>
  );
}
