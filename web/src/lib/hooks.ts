import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import { t } from '../i18n/index.ts';

// Loading for the pages, by hand rather than with a data-fetching library: ADR 20 says why. What the
// app shares between pages (the catalog, the orders, the session) lives in lib/catalog-data.ts and
// state/, kept current by the live event stream; these hooks only load what one page shows.

/** Hands `promise`'s outcome on unless `signal` was aborted meanwhile (a newer load replaced it, or the page left). */
function settle<T>(promise: Promise<T>, signal: AbortSignal, onData: (data: T) => void, onError: (error: unknown) => void): void {
  promise.then(
    (data) => {
      if (!signal.aborted) onData(data);
    },
    (error: unknown) => {
      if (!signal.aborted) onError(error);
    },
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Load something when the page shows (and when `deps` change); the latest answer wins. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [round, setRound] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to load again
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    settle(
      load(controller.signal),
      controller.signal,
      (data) => setState({ data, error: undefined, loading: false }),
      (error) => setState((s) => ({ ...s, error, loading: false })),
    );
    return () => controller.abort();
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}

/** The current time, ticking every `intervalMs` while the component is shown. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** The tab's title names the page. */
export function useTitle(name: string | undefined): void {
  useEffect(() => {
    document.title = name ? t.title.page(name) : t.title.landing;
  }, [name]);
}

/** Whether the component is still shown: async handlers must not set state after it left. */
export function useMounted(): () => boolean {
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  return useCallback(() => mounted.current, []);
}

export interface Submission {
  busy: boolean;
  error: unknown;
  /** Whether the component is still shown (see useMounted): for what `run`'s action sets after awaiting. */
  mounted: () => boolean;
  /** Run a form's action: busy meanwhile, the last error cleared first and kept if it fails. */
  run: (action: () => Promise<void>) => Promise<void>;
}

/** A form's submission: its busy flag and error, set only while the component is shown. */
export function useSubmission(): Submission {
  const mounted = useMounted();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      if (mounted()) setError(caught);
    } finally {
      if (mounted()) setBusy(false);
    }
  };
  return { busy, error, mounted, run };
}

export interface Paged<T> {
  items: T[] | undefined;
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  more(): void;
  reload(): void;
}

/** A list the API pages with a cursor: the first page when shown, the next ones on request ("Show more"). */
export function usePaged<T>(
  fetchPage: (cursor: string | undefined, signal: AbortSignal) => Promise<{ items: T[]; nextCursor: string | null }>,
  deps: DependencyList,
): Paged<T> {
  const [state, setState] = useState<{ items: T[] | undefined; next: string | null; loading: boolean; error: unknown }>({
    items: undefined,
    next: null,
    loading: true,
    error: undefined,
  });
  const [round, setRound] = useState(0);
  const controller = useRef<AbortController | undefined>(undefined);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to start again
  useEffect(() => {
    const current = new AbortController();
    controller.current = current;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    settle(
      fetchPage(undefined, current.signal),
      current.signal,
      (page) => setState({ items: page.items, next: page.nextCursor, loading: false, error: undefined }),
      (error) => setState((s) => ({ ...s, loading: false, error })),
    );
    return () => current.abort();
  }, [...deps, round]);

  const more = useCallback(() => {
    const cursor = state.next;
    const current = controller.current;
    if (!cursor || !current || state.loading) return;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    settle(
      fetchPage(cursor, current.signal),
      current.signal,
      (page) => setState((s) => ({ items: [...(s.items ?? []), ...page.items], next: page.nextCursor, loading: false, error: undefined })),
      (error) => setState((s) => ({ ...s, loading: false, error })),
    );
  }, [state.next, state.loading, fetchPage]);

  return {
    items: state.items,
    hasMore: state.next !== null,
    loading: state.loading,
    error: state.error,
    more,
    reload: useCallback(() => setRound((r) => r + 1), []),
  };
}
