import { c } from '../i18n/console-en.ts';
import { Link, useLocation } from '../lib/router.tsx';
import { Enrol } from './pages/Enrol.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { consolePages, pageFor } from './registry.ts';
import { ConsoleShell } from './Shell.tsx';
import { useConsoleSession } from './session.tsx';

/** /admin/enrol needs no session; every other console page needs a staff session signed in with its second factor. */
export function ConsoleApp() {
  const { pathname } = useLocation();
  const { state, signOut } = useConsoleSession();
  if (pathname === '/admin/enrol') return <Enrol />;
  if (state.status === 'loading') return <p className="loading">…</p>;
  if (state.status === 'signed-out') return <SignIn />;
  if (state.me.role === 'customer') {
    return (
      <main id="main" className="console-auth" tabIndex={-1}>
        <h1>{c.signIn.title}</h1>
        <p className="notice notice--warning">{c.signIn.notStaff}</p>
        <p>
          <a href="/">{c.signIn.toCustomerApp}</a>
        </p>
        <button className="button button--secondary" type="button" onClick={() => void signOut()}>
          {c.signIn.signOut}
        </button>
      </main>
    );
  }
  const subpath = pathname.replace(/^\/admin/, '');
  const found = pageFor(subpath);
  return (
    <ConsoleShell pathname={pathname}>
      {found ? (
        found.page.render(found.rest)
      ) : subpath === '' ? (
        <>
          <h1 tabIndex={-1}>{c.appName}</h1>
          <p>{c.shell.home}</p>
          <ul>
            {consolePages()
              .filter((page) => !page.adminOnly || state.me.role === 'admin')
              .map((page) => (
                <li key={page.path}>
                  <Link to={`/admin${page.path}`}>{page.label}</Link>
                </li>
              ))}
          </ul>
        </>
      ) : (
        <>
          <h1 tabIndex={-1}>{c.appName}</h1>
          <p className="notice notice--warning">{c.shell.notFound}</p>
        </>
      )}
    </ConsoleShell>
  );
}
