import type { ReactNode } from 'react';
import { t } from '../i18n/index.ts';
import type { Paged } from '../lib/hooks.ts';
import { ErrorNotice, Loading } from './Notice.tsx';

/** The states every paged list shares: loading, empty, failed, and "Show more". */
export function PagedList<T>({ list, empty, children }: { list: Paged<T>; empty: string; children: (items: T[]) => ReactNode }) {
  return (
    <>
      {list.items && list.items.length === 0 ? <p>{empty}</p> : null}
      {list.items && list.items.length > 0 ? children(list.items) : null}
      {list.loading ? <Loading /> : null}
      {list.error ? <ErrorNotice error={list.error} onRetry={list.items ? list.more : list.reload} /> : null}
      {list.hasMore && !list.loading ? (
        <button type="button" className="button button--secondary" onClick={list.more}>
          {t.common.loadMore}
        </button>
      ) : null}
    </>
  );
}
