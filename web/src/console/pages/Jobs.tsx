import './operations.css';
import { useCallback, useEffect, useState } from 'react';
import { Icon } from '../../components/Icon.tsx';
import { c } from '../../i18n/console-en.ts';
import type { components } from '../../lib/api.gen.ts';
import { api, errorText } from '../api.ts';
import { duration, moment } from '../display.ts';

type JobList = components['schemas']['JobList'];
type JobRun = components['schemas']['JobRun'];

const j = c.jobs;

/** What a run did, in one line: its error, or its result's fields. */
function details(run: JobRun): string {
  if (run.error) return run.error;
  if (!run.result) return '';
  return Object.entries(run.result)
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(', ');
}

const badge = (status: JobRun['status']) =>
  status === 'succeeded' ? 'badge--completed' : status === 'failed' || status === 'abandoned' ? 'badge--failed' : 'badge--waiting';
const failed = (run: JobRun | undefined) => run?.status === 'failed' || run?.status === 'abandoned';

/** Every background job with its latest runs: when, how long, what it did or why it failed. */
export function JobsPage() {
  const [data, setData] = useState<JobList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    setBusy(true);
    try {
      setData(await api<JobList>('/admin/jobs?runs=10'));
      setError(null);
    } catch (cause) {
      setError(errorText(cause));
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const failing = data?.jobs.filter((job) => failed(job.runs[0])).length ?? 0;

  return (
    <div>
      <h1 tabIndex={-1}>{j.title}</h1>
      <p className="muted">{j.intro}</p>
      <p>
        <button type="button" className="button button--secondary button--small" onClick={() => void load()} disabled={busy}>
          {j.refresh}
        </button>
      </p>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      {!data ? (
        !error && <p className="loading">{j.loading}</p>
      ) : (
        <>
          {failing > 0 ? (
            <p className="notice notice--error">
              <Icon name="alert" />
              <span>{j.failedCount(failing)}</span>
            </p>
          ) : (
            <p className="notice notice--success">{j.allWell}</p>
          )}
          {data.jobs.map((job) => (
            <section
              key={job.name}
              className={`console-section card${failed(job.runs[0]) ? ' job--failed' : ''}`}
              aria-labelledby={`job-${job.name}`}
            >
              <h2 id={`job-${job.name}`} className="mono">
                {job.name}
              </h2>
              <p className="muted">{j.every(duration(job.intervalMs))}</p>
              {job.runs.length === 0 ? (
                <p className="muted">{j.never}</p>
              ) : (
                <div className="console-table-wrap">
                  <table className="console-table console-table--stack">
                    <caption className="visually-hidden">{j.runsOf(job.name)}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{j.started}</th>
                        <th scope="col">{j.status}</th>
                        <th scope="col" className="numeric">
                          {j.duration}
                        </th>
                        <th scope="col">{j.details}</th>
                        <th scope="col">{j.instance}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {job.runs.map((run) => (
                        <tr key={run.id} className={failed(run) ? 'is-alert' : undefined}>
                          <th scope="row">{moment(run.startedAt)}</th>
                          <td data-label={j.status}>
                            <span className={`badge ${badge(run.status)}`}>{j.statuses[run.status] ?? run.status}</span>
                          </td>
                          <td className="numeric" data-label={j.duration}>
                            {run.durationMs === null ? '—' : duration(run.durationMs)}
                          </td>
                          <td data-label={j.details} className={run.error ? 'job__error' : undefined}>
                            {details(run)}
                          </td>
                          <td data-label={j.instance} className="mono">
                            {run.instanceId}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          ))}
        </>
      )}
    </div>
  );
}
