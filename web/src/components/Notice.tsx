import type { ReactNode } from 'react';
import { t } from '../i18n/index.ts';
import { ApiError, errorMessage } from '../lib/api.ts';
import { Icon } from './Icon.tsx';

/** A message in words. Errors are alerts (read out at once); the rest are polite status messages. */
export function Notice({ kind = 'info', children }: { kind?: 'info' | 'success' | 'error' | 'warning'; children: ReactNode }) {
  return (
    <div className={`notice notice--${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {kind === 'error' || kind === 'warning' ? <Icon name="alert" /> : null}
      <div>{children}</div>
    </div>
  );
}

/** What went wrong with a request, as the API worded it, with its reference for support when unexpected. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const reference = error instanceof ApiError && error.status >= 500 && error.requestId ? error.requestId : undefined;
  return (
    <Notice kind="error">
      <p>{errorMessage(error)}</p>
      {reference ? <p className="muted small">{t.errors.requestId(reference)}</p> : null}
      {onRetry ? (
        <button type="button" className="button button--small" onClick={onRetry}>
          {t.common.retry}
        </button>
      ) : null}
    </Notice>
  );
}

export function Loading({ label = t.common.loading }: { label?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}
