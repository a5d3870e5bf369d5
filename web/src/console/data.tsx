// Small pieces the console's data pages share: loading a staff API read, running a change with the
// staff member's reason, and a select field labelled like the customer app's Field.

import { type FormEvent, type ReactNode, useCallback, useEffect, useId, useState } from 'react';
import { Field } from '../components/Field.tsx';
import { c } from '../i18n/console-en.ts';
import { api, errorText } from './api.ts';

export type Loaded<T> = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; data: T };

/** GET `path` (again whenever `path` changes or `reload` is called). */
export function useLoad<T>(path: string | undefined): { state: Loaded<T>; reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `round` is the reload trigger
  useEffect(() => {
    if (!path) return;
    const abort = new AbortController();
    api<T>(path, { signal: abort.signal })
      .then((data) => setState({ status: 'ready', data }))
      .catch((error) => {
        if (!abort.signal.aborted) setState({ status: 'error', message: errorText(error) });
      });
    return () => abort.abort();
  }, [path, round]);
  return { state, reload };
}

/**
 * A filtered, paged staff list (`{items, nextCursor}`, or the list under another `key`): `search` starts
 * again from the first page with new filters; `loadMore` appends the page after `next` (a failure is
 * kept in `moreError`). `query` is the first filters (`limit=50`).
 */
export interface Paged<T> {
  items: T[];
  nextCursor: string | null;
}

export function usePagedList<T, P extends { nextCursor: string | null } = Paged<T>>(
  path: string,
  options: { key?: string; query?: string } = {},
) {
  const key = options.key ?? 'items';
  const [query, setQuery] = useState(options.query ?? '');
  const [more, setMore] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>();
  const [moreError, setMoreError] = useState<string>();
  const list = useLoad<P>(`${path}${query ? `?${query}` : ''}`);
  const first = list.state.status === 'ready' ? list.state.data : undefined;
  const itemsOf = (page: object): T[] => ((page as Record<string, unknown>)[key] as T[] | undefined) ?? [];
  const search = (params: URLSearchParams) => {
    setMore([]);
    setCursor(undefined);
    setMoreError(undefined);
    setQuery(params.toString());
  };
  const loadMore = async (after: string) => {
    const params = new URLSearchParams(query);
    params.set('cursor', after);
    try {
      const page = await api<P>(`${path}?${params}`);
      setMore((previous) => [...previous, ...itemsOf(page)]);
      setCursor(page.nextCursor);
      setMoreError(undefined);
    } catch (failure) {
      setMoreError(errorText(failure));
    }
  };
  return {
    state: list.state,
    /** The first page as the API answered it (with whatever else it says about the search). */
    first,
    query,
    items: first ? [...itemsOf(first), ...more] : [],
    /** The cursor of the next page, or null at the end. */
    next: cursor === undefined ? (first?.nextCursor ?? null) : cursor,
    search,
    loadMore,
    moreError,
  };
}

/** The "show more" of a paged list (nothing at its end), and why the last page could not be read. */
export function MoreButton({
  list,
  label,
}: {
  list: { next: string | null; loadMore: (after: string) => Promise<void>; moreError?: string };
  label: string;
}) {
  const { next, loadMore, moreError } = list;
  return (
    <>
      <ErrorNotice message={moreError} />
      {next ? (
        <p>
          <button className="button button--secondary" type="button" onClick={() => void loadMore(next)}>
            {label}
          </button>
        </p>
      ) : null}
    </>
  );
}

/** A date picker's days as the API's range: from the first day's start to the end of the last (UTC). */
export function setDayRange(params: URLSearchParams, from: string, to: string): void {
  if (from) params.set('from', `${from}T00:00:00Z`);
  if (to) params.set('to', new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString());
}

/** What a loaded read shows until it is ready: a busy line, or the error in an alert. */
export function LoadState({ state }: { state: Loaded<unknown> }) {
  if (state.status === 'loading')
    return (
      <p className="loading" aria-busy="true">
        {c.data.loading}
      </p>
    );
  return state.status === 'error' ? <ErrorNotice message={state.message} /> : null;
}

/** What a change did, above the list it changed (a status line read out when it appears). */
export function DoneNotice({ message }: { message: string | undefined }) {
  return message ? (
    <p className="notice notice--success" role="status">
      {message}
    </p>
  ) : null;
}

/** What the server refused or what failed, in an alert. */
export function ErrorNotice({ message }: { message: string | undefined }) {
  return message ? (
    <p className="notice notice--error" role="alert">
      {message}
    </p>
  ) : null;
}

/**
 * A form for one staff change: its fields, the required reason (kept in the audit log), a submit
 * button, and the server's refusal shown in an alert. When `onSubmit` answers a sentence, the form
 * shows it as its outcome (a status line) until the next submit.
 */
export function ActionForm({
  label,
  submit,
  children,
  onSubmit,
  onCancel,
  danger = false,
  withReason = true,
  reasonLabel = c.data.reason,
}: {
  label: string;
  submit: string;
  children?: ReactNode;
  onSubmit: (reason: string) => Promise<unknown>;
  onCancel?: () => void;
  danger?: boolean;
  withReason?: boolean;
  reasonLabel?: string;
}) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const send = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const outcome = await onSubmit(reason.trim());
      if (typeof outcome === 'string') setDone(outcome);
      setReason('');
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card console-form" aria-label={label} onSubmit={send}>
      {children}
      {withReason ? (
        <Field label={reasonLabel} value={reason} onChange={setReason} required minLength={3} maxLength={500} hint={c.data.reasonHint} />
      ) : null}
      <ErrorNotice message={error} />
      <DoneNotice message={done} />
      <div className="row__actions">
        <button className={`button ${danger ? 'button--danger' : 'button--primary'}`} type="submit" disabled={busy}>
          {submit}
        </button>
        {onCancel ? (
          <button className="button button--ghost" type="button" onClick={onCancel}>
            {c.data.cancel}
          </button>
        ) : null}
      </div>
    </form>
  );
}

export interface Column<R> {
  label: string;
  numeric?: boolean;
  cell: (row: R) => ReactNode;
}

/**
 * A console table: a column per field, the first naming the row (a row header); `empty` when there is no
 * row. On a phone `cards` and `stack` show each row as a card of labelled cells; `plain` (a small
 * two- or three-column table) stays a table.
 */
export function DataTable<R>({
  caption,
  empty,
  rows,
  rowKey,
  rowClass,
  columns,
  variant = 'cards',
}: {
  caption?: string;
  empty?: string;
  rows: readonly R[];
  rowKey: (row: R) => string;
  rowClass?: (row: R) => string | undefined;
  columns: readonly (Column<R> | false)[];
  variant?: 'cards' | 'stack' | 'plain';
}) {
  if (rows.length === 0) return empty ? <p className="empty">{empty}</p> : null;
  const shown = columns.filter((column): column is Column<R> => column !== false);
  return (
    <div className="console-table-wrap">
      <table className={`console-table${variant === 'plain' ? '' : ` console-table--${variant}`}`}>
        {caption ? <caption className="visually-hidden">{caption}</caption> : null}
        <thead>
          <tr>
            {shown.map((column) => (
              <th key={column.label} scope="col" className={column.numeric ? 'numeric' : undefined}>
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} className={rowClass?.(row)}>
              {shown.map((column, index) =>
                index === 0 ? (
                  <th key={column.label} scope="row" data-label={column.label}>
                    {column.cell(row)}
                  </th>
                ) : (
                  <td key={column.label} className={column.numeric ? 'numeric' : undefined} data-label={column.label}>
                    {column.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A button that opens a row's form (`aria-expanded` while it is open). */
export function OpenButton({
  label,
  open,
  onClick,
  quiet = false,
}: {
  label: string;
  open: boolean;
  onClick: () => void;
  /** A ghost button (a removal, a reset) rather than a secondary one. */
  quiet?: boolean;
}) {
  return (
    <button
      className={`button ${quiet ? 'button--ghost' : 'button--secondary'} button--small`}
      type="button"
      aria-expanded={open}
      onClick={onClick}
    >
      {label}
    </button>
  );
}

/** A page's "add" section: its title, what it says above (a result shown once), and its form once opened (a button until then). */
export function AddSection({
  id,
  title,
  openLabel,
  open,
  onOpen,
  form,
  children,
}: {
  id: string;
  title: string;
  openLabel: string;
  open: boolean;
  onOpen: () => void;
  form: ReactNode;
  children?: ReactNode;
}) {
  return (
    <section className="console-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
      {open ? (
        form
      ) : (
        <button className="button button--secondary" type="button" onClick={onOpen}>
          {openLabel}
        </button>
      )}
    </section>
  );
}

/** A labelled select. */
export function Select({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly { value: string; label: string }[];
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export const formatWhen = (iso: string | null): string => (iso ? `${iso.replace('T', ' ').slice(0, 16)} UTC` : c.data.never);
