import { useId, useState } from 'react';
import { Checkbox } from '../components/Field.tsx';
import { ErrorNotice, Notice } from '../components/Notice.tsx';
import { DeleteAccount } from '../components/privacy/DeleteAccount.tsx';
import { t } from '../i18n/index.ts';
import { primeSound } from '../lib/alerts.ts';
import { api } from '../lib/api.ts';
import { formatDay } from '../lib/format.ts';
import { useLoad, useMounted, useTitle } from '../lib/hooks.ts';
import { setAlerts, setTheme, type Theme, usePreferences } from '../lib/preferences.ts';
import { Link, navigate } from '../lib/router.tsx';
import type { Profile, Session } from '../lib/types.ts';
import { useMe, useSession } from '../state/session.tsx';
import { ChangePassword } from './account/ChangePassword.tsx';
import { SecurityEvents, useSecurityEvents } from './account/SecurityEvents.tsx';
import { Sessions } from './account/Sessions.tsx';
import { Upgrade } from './account/Upgrade.tsx';

function Identity({ me }: { me: Profile }) {
  const mounted = useMounted();
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>();
  const resend = async () => {
    setError(undefined);
    try {
      await api('/auth/verify-email/resend', { method: 'POST' });
      if (mounted()) setSent(true);
    } catch (caught) {
      if (mounted()) setError(caught);
    }
  };
  return (
    <section className="card" aria-labelledby="identity-title">
      <h2 id="identity-title">{me.kind === 'email' ? t.account.emailAccount : t.account.deviceAccount}</h2>
      {me.email ? (
        <p>
          <strong>{me.email}</strong>{' '}
          <span className={`badge ${me.emailVerified ? 'badge--completed' : 'badge--waiting'}`}>
            {me.emailVerified ? t.account.verified : t.account.notVerified}
          </span>
        </p>
      ) : (
        <p>{t.account.deviceAccountText}</p>
      )}
      <p className="muted small">{t.account.memberSince(formatDay(me.createdAt))}</p>
      {me.email && !me.emailVerified && !sent ? (
        <button type="button" className="button button--secondary button--small" onClick={resend}>
          {t.account.resend}
        </button>
      ) : null}
      {sent ? <Notice kind="success">{t.account.resent}</Notice> : null}
      {error ? <ErrorNotice error={error} /> : null}
    </section>
  );
}

function Settings() {
  const preferences = usePreferences();
  const name = useId();
  const themes: { value: Theme; label: string }[] = [
    { value: 'system', label: t.account.themeSystem },
    { value: 'light', label: t.account.themeLight },
    { value: 'dark', label: t.account.themeDark },
  ];
  return (
    <section className="card" aria-labelledby="settings-title">
      <h2 id="settings-title">{t.account.settingsTitle}</h2>
      <fieldset className="radios">
        <legend>{t.account.theme}</legend>
        {themes.map((theme) => (
          <label key={theme.value} className="radio">
            <input
              type="radio"
              name={name}
              value={theme.value}
              checked={preferences.theme === theme.value}
              onChange={() => setTheme(theme.value)}
            />
            {theme.label}
          </label>
        ))}
      </fieldset>
      <Checkbox
        checked={preferences.alerts}
        onChange={(on) => {
          if (on) primeSound();
          setAlerts(on);
        }}
      >
        {t.orders.alerts}
      </Checkbox>
    </section>
  );
}

/** The account: who it is, how to sign in, where it is signed in, what happened to it, and this browser's settings. */
export function Account() {
  useTitle(t.account.title);
  const me = useMe();
  const { signOut } = useSession();
  const sessions = useLoad((signal) => api<{ sessions: Session[] }>('/sessions', { signal }).then((answer) => answer.sessions), []);
  const events = useSecurityEvents();

  const leave = async () => {
    await signOut();
    navigate('/', { replace: true });
  };

  return (
    <div className="account">
      <h1 tabIndex={-1}>{t.account.title}</h1>
      <div className="grid">
        <Identity me={me} />
        {me.kind === 'device' ? <Upgrade /> : <ChangePassword onChanged={sessions.reload} />}
        <Sessions sessions={sessions} />
        <SecurityEvents events={events} />
        <Settings />
        <section className="card" aria-labelledby="more-title">
          <h2 id="more-title">{t.account.moreTitle}</h2>
          <ul className="links">
            <li>
              <Link to="/developers">{t.account.developersLink}</Link>
            </li>
            <li>
              <Link to="/privacy">{t.account.privacyLink}</Link>
            </li>
          </ul>
          {me.kind === 'device' ? <p className="muted small">{t.account.signOutDevice}</p> : null}
          <button type="button" className="button button--secondary" onClick={leave}>
            {t.account.signOut}
          </button>
        </section>
        {me.role === 'customer' ? <DeleteAccount /> : null}
      </div>
    </div>
  );
}
