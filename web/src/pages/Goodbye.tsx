import { t } from '../i18n/index.ts';
import { useTitle } from '../lib/hooks.ts';
import { Link } from '../lib/router.tsx';

/** Where a deleted account lands, signed out. */
export function Goodbye() {
  useTitle(t.goodbye.title);
  return (
    <div className="narrow stack">
      <h1 tabIndex={-1}>{t.goodbye.title}</h1>
      <p>{t.goodbye.body}</p>
      <Link to="/">{t.goodbye.home}</Link>
    </div>
  );
}
