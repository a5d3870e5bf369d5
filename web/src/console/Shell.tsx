import { type ReactNode, useEffect, useRef, useState } from 'react';
import { Icon } from '../components/Icon.tsx';
import { c } from '../i18n/console-en.ts';
import { Link } from '../lib/router.tsx';
import { consolePages } from './registry.ts';
import { useConsoleSession, useStaff } from './session.tsx';

const within = (pathname: string, to: string) => pathname === to || pathname.startsWith(`${to}/`);

/**
 * The console's frame: a bar with who is signed in and sign-out, the navigation built from the pages
 * that registered (a side column on wide screens, a menu button on phones), and the page.
 */
export function ConsoleShell({ pathname, children }: { pathname: string; children: ReactNode }) {
  const staff = useStaff();
  const { signOut } = useConsoleSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  const pages = consolePages().filter((page) => !page.adminOnly || staff.role === 'admin');

  // A new page: the menu closes and focus moves to the page's heading, as a page load would.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new pathname is the event this effect reacts to
  useEffect(() => {
    setMenuOpen(false);
    main.current?.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
  }, [pathname]);

  return (
    <div className="console">
      <a className="skip-link" href="#main">
        {c.skipToContent}
      </a>
      <header className="console__bar">
        <button
          className="button button--ghost console__menu-button"
          type="button"
          aria-expanded={menuOpen}
          aria-controls="console-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          {c.shell.menu}
        </button>
        <Link to="/admin" className="brand">
          {c.appName}
        </Link>
        <span className="console__who muted">{c.shell.signedInAs(staff.email ?? staff.id, c.roles[staff.role] ?? staff.role)}</span>
        <button className="button button--secondary button--small" type="button" onClick={() => void signOut()}>
          {c.shell.signOut}
        </button>
      </header>
      <nav id="console-nav" className={`console__nav${menuOpen ? ' console__nav--open' : ''}`} aria-label={c.shell.nav}>
        <ul>
          {pages.map((page) => {
            const to = `/admin${page.path}`;
            const current = within(pathname, to);
            return (
              <li key={page.path}>
                <Link to={to} className="console__link" aria-current={current ? 'page' : undefined}>
                  <Icon name={page.icon} />
                  <span>{page.label}</span>
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <main id="main" ref={main} className="console__main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
