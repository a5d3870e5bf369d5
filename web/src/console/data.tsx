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
 * A filtered, paged staff list (`{items, nextCursor}`): `search` starts again from the first page with
 * new filters; `loadMore` appends the page after `next`.
 */
export interface Paged<T> {
  items: T[];
  nextCursor: string | null;
}

export function usePagedList<T, P extends Paged<T> = Paged<T>>(path: string) {
  const [query, setQuery] = useState('');
  const [more, setMore] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>();
  const list = useLoad<P>(`${path}${query ? `?${query}` : ''}`);
  const first = list.state.status === 'ready' ? list.state.data : undefined;
  const search = (params: URLSearchParams) => {
    setMore([]);
    setCursor(undefined);
    setQuery(params.toString());
  };
  const loadMore = async (after: string) => {
    const params = new URLSearchParams(query);
    params.set('cursor', after);
    const page = await api<Paged<T>>(`${path}?${params}`);
    setMore((previous) => [...previous, ...page.items]);
    setCursor(page.nextCursor);
  };
  return {
    state: list.state,
    /** The first page as the API answered it (with whatever else it says about the search). */
    first,
    query,
    items: first ? [...first.items, ...more] : [],
    /** The cursor of the next page, or null at the end. */
    next: cursor === undefined ? (first?.nextCursor ?? null) : cursor,
    search,
    loadMore,
  };
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
 * button, and the server's refusal shown in an alert. `onDone` runs after a success.
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
  onSubmit: (reason: string) => Promise<void>;
  onCancel?: () => void;
  danger?: boolean;
  withReason?: boolean;
  reasonLabel?: string;
}) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const send = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(reason.trim());
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
