// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useLoad, usePaged } from './hooks.ts';

afterEach(cleanup);

/** A promise the test settles by hand, remembering whether the hook aborted the load that made it. */
function pending<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

describe('useLoad', () => {
  it('loads when shown and again when its deps change; the latest answer wins even if an older one arrives last', async () => {
    const loads = new Map<string, ReturnType<typeof pending<string>>>();
    const signals = new Map<string, AbortSignal>();
    const { result, rerender } = renderHook(
      ({ id }) =>
        useLoad(
          (signal) => {
            const load = pending<string>();
            loads.set(id, load);
            signals.set(id, signal);
            return load.promise;
          },
          [id],
        ),
      { initialProps: { id: 'a' } },
    );
    expect(result.current).toMatchObject({ data: undefined, loading: true });
    rerender({ id: 'b' });
    expect(signals.get('a')?.aborted).toBe(true);
    await act(async () => loads.get('b')?.resolve('answer b'));
    await act(async () => loads.get('a')?.resolve('answer a'));
    expect(result.current).toMatchObject({ data: 'answer b', loading: false, error: undefined });
  });

  it('keeps what it showed when a reload fails, with the error, and loads again on reload()', async () => {
    let calls = 0;
    const answers = [() => Promise.resolve('first'), () => Promise.reject(new Error('offline')), () => Promise.resolve('third')];
    const { result } = renderHook(() => useLoad(() => (answers[calls++] ?? answers[0])?.() as Promise<string>, []));
    await waitFor(() => expect(result.current.data).toBe('first'));
    act(() => result.current.reload());
    await waitFor(() => expect(result.current.error).toBeInstanceOf(Error));
    expect(result.current).toMatchObject({ data: 'first', loading: false });
    act(() => result.current.reload());
    await waitFor(() => expect(result.current).toMatchObject({ data: 'third', error: undefined, loading: false }));
  });
});

describe('usePaged', () => {
  const pages: Record<string, { items: number[]; nextCursor: string | null }> = {
    first: { items: [1, 2], nextCursor: 'c2' },
    c2: { items: [3, 4], nextCursor: 'c3' },
    c3: { items: [5], nextCursor: null },
  };

  it('shows the first page, appends the next ones on more(), and knows when there are no more', async () => {
    const cursors: (string | undefined)[] = [];
    const fetchPage = async (cursor: string | undefined) => {
      cursors.push(cursor);
      return pages[cursor ?? 'first'] as { items: number[]; nextCursor: string | null };
    };
    const { result } = renderHook(() => usePaged(fetchPage, []));
    await waitFor(() => expect(result.current.items).toEqual([1, 2]));
    expect(result.current.hasMore).toBe(true);
    act(() => result.current.more());
    await waitFor(() => expect(result.current.items).toEqual([1, 2, 3, 4]));
    act(() => result.current.more());
    await waitFor(() => expect(result.current.items).toEqual([1, 2, 3, 4, 5]));
    expect(result.current).toMatchObject({ hasMore: false, loading: false });
    act(() => result.current.more());
    expect(cursors).toEqual([undefined, 'c2', 'c3']);
  });

  it('starts again from the first page when its deps change, dropping a page still on its way', async () => {
    const second = pending<{ items: number[]; nextCursor: string | null }>();
    let cursors: (string | undefined)[] = [];
    const fetchPage = (cursor: string | undefined) => {
      cursors.push(cursor);
      return cursor === 'c2' ? second.promise : Promise.resolve(pages.first as { items: number[]; nextCursor: string | null });
    };
    const { result, rerender } = renderHook(({ balance }) => usePaged(fetchPage, [balance]), { initialProps: { balance: 500 } });
    await waitFor(() => expect(result.current.items).toEqual([1, 2]));
    act(() => result.current.more());
    // A second "Show more" while one is loading asks for nothing more.
    act(() => result.current.more());
    cursors = [];
    rerender({ balance: 483 });
    await act(async () => second.resolve({ items: [99], nextCursor: null }));
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(cursors).toEqual([undefined]);
    expect(result.current.items).toEqual([1, 2]);
  });
});
