import { t } from '../i18n/index.ts';
import { useTitle } from '../lib/hooks.ts';
import { Link } from '../lib/router.tsx';

export function NotFound() {
  useTitle(t.notFound.title);
  return (
    <div>
      <h1 tabIndex={-1}>{t.notFound.title}</h1>
      <p>{t.notFound.text}</p>
      <Link to="/" className="button button--primary">
        {t.notFound.home}
      </Link>
    </div>
  );
}
