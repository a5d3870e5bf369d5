import { ErrorNotice, Loading, Notice } from '../components/Notice.tsx';
import { t } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { useLoad, useTitle } from '../lib/hooks.ts';
import { Link, useLocation } from '../lib/router.tsx';
import { useSession } from '../state/session.tsx';

// A token works once: one request per token, however many times the page renders or mounts.
const verifications = new Map<string, Promise<unknown>>();
const verify = (token: string) => {
  const pending = verifications.get(token) ?? api('/auth/verify-email', { method: 'POST', body: { token } });
  verifications.set(token, pending);
  return pending;
};

/** From the e-mail's link `/verify-email?token=…`: confirms the address as soon as the page opens. */
export function VerifyEmail() {
  useTitle(t.auth.verifyTitle);
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const { state, refresh } = useSession();
  const result = useLoad(async () => {
    if (!token) return false;
    await verify(token);
    if (state.status === 'signed-in') await refresh();
    return true;
  }, [token]);

  return (
    <div className="auth">
      <h1 tabIndex={-1}>{t.auth.verifyTitle}</h1>
      {!token ? (
        <Notice kind="error">{t.auth.verifyMissingToken}</Notice>
      ) : result.loading ? (
        <Loading label={t.auth.verifying} />
      ) : result.data ? (
        <Notice kind="success">{t.auth.verified}</Notice>
      ) : (
        <ErrorNotice error={result.error} />
      )}
      <p>
        <Link to={state.status === 'signed-in' ? '/buy' : '/login'} className="button button--secondary">
          {t.auth.continue}
        </Link>
      </p>
    </div>
  );
}
