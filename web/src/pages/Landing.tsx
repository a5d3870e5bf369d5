import { t } from '../i18n/index.ts';
import { useTitle } from '../lib/hooks.ts';
import { useAccountKinds } from '../lib/policy.ts';
import { Link } from '../lib/router.tsx';

/** What otpbox does, in one sentence, and the three ways in. */
export function Landing() {
  useTitle(undefined);
  const offered = useAccountKinds();
  return (
    <div className="landing">
      <section className="hero" aria-labelledby="hero-title">
        <h1 id="hero-title" tabIndex={-1}>
          {t.tagline}
        </h1>
        <p className="hero__pitch">{t.pitch}</p>
        <div className="hero__actions">
          {offered.email ? (
            <Link to="/signup" className="button button--primary">
              {t.landing.signUp}
            </Link>
          ) : null}
          <Link to="/login" className="button button--secondary">
            {t.landing.logIn}
          </Link>
          {offered.device ? (
            <Link to="/start" className="button button--ghost">
              {t.landing.anonymous}
            </Link>
          ) : null}
        </div>
      </section>
      <ul className="points">
        {t.landing.points.map((point) => (
          <li key={point.title} className="card">
            <h2>{point.title}</h2>
            <p>{point.text}</p>
          </li>
        ))}
      </ul>
      <p className="muted">
        {t.landing.developers} <a href="/docs">{t.nav.apiDocs}</a>.
      </p>
    </div>
  );
}
