import { useEffect, useRef, useState } from 'react';
import { t } from '../../i18n/index.ts';
import { API, authHeaders, NetworkError, toApiError } from '../../lib/api.ts';
import { formatCount } from '../../lib/format.ts';
import { useMounted } from '../../lib/hooks.ts';
import { ErrorNotice } from '../Notice.tsx';

type State =
  | { step: 'idle' }
  | { step: 'working'; received: number }
  | { step: 'done'; url: string; filename: string; size: number }
  | { step: 'failed'; error: unknown };

/** The file name the server gave (`Content-Disposition`), or one of the same shape. */
export function exportFilename(disposition: string | null): string {
  const named = /filename="([^"]+)"/.exec(disposition ?? '')?.[1];
  return named ?? `otpbox-export-${new Date().toISOString().slice(0, 10)}.json`;
}

/** Read the answer as it arrives, reporting how much has come so far (a long history takes a moment). */
async function readAll(response: Response, onProgress: (received: number) => void): Promise<Blob> {
  const reader = response.body?.getReader();
  if (!reader) return response.blob();
  const parts: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    received += value.byteLength;
    onProgress(received);
  }
  return new Blob(parts as BlobPart[], { type: 'application/json' });
}

/** "Download my data": GET /privacy/export, saved as the file the server names (access and portability). */
export function ExportData() {
  const mounted = useMounted();
  const [state, setState] = useState<State>({ step: 'idle' });
  const link = useRef<HTMLAnchorElement>(null);
  const url = state.step === 'done' ? state.url : undefined;

  // The file stays in memory only while the page is open.
  useEffect(() => () => (url ? URL.revokeObjectURL(url) : undefined), [url]);
  // Saved at once; the link stays for a second try (and is where focus lands).
  useEffect(() => {
    if (!url) return;
    link.current?.click();
    link.current?.focus();
  }, [url]);

  const download = async () => {
    setState({ step: 'working', received: 0 });
    try {
      let response: Response;
      try {
        response = await fetch(`${API}/privacy/export`, {
          headers: { accept: 'application/json', ...authHeaders() },
          credentials: 'same-origin',
          cache: 'no-store',
        });
      } catch {
        throw new NetworkError();
      }
      if (!response.ok) throw toApiError(response.status, await response.json().catch(() => null));
      const blob = await readAll(response, (received) => mounted() && setState({ step: 'working', received }));
      if (!mounted()) return;
      const filename = exportFilename(response.headers.get('content-disposition'));
      setState({ step: 'done', url: URL.createObjectURL(blob), filename, size: blob.size });
    } catch (error) {
      if (mounted()) setState({ step: 'failed', error: error instanceof TypeError ? new NetworkError() : error });
    }
  };

  return (
    <section className="card" aria-labelledby="export-title">
      <h2 id="export-title">{t.privacyExport.title}</h2>
      <p>{t.privacyExport.intro}</p>
      <p className="muted small">{t.privacyExport.keepSafe}</p>
      <button type="button" className="button button--primary" onClick={download} disabled={state.step === 'working'}>
        {state.step === 'working' ? t.privacyExport.working : t.privacyExport.button}
      </button>
      <div role="status" aria-live="polite">
        {state.step === 'working' && state.received > 0 ? (
          <p className="muted">{t.privacyExport.received(formatCount(Math.ceil(state.received / 1024)))}</p>
        ) : null}
        {state.step === 'done' ? (
          <p>
            {t.privacyExport.ready(formatCount(Math.ceil(state.size / 1024)))}{' '}
            <a ref={link} href={state.url} download={state.filename}>
              {t.privacyExport.saveAgain(state.filename)}
            </a>
          </p>
        ) : null}
      </div>
      {state.step === 'failed' ? <ErrorNotice error={state.error} onRetry={download} /> : null}
    </section>
  );
}
