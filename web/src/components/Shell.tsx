import { type ReactNode, useEffect, useRef } from 'react';
import { t } from '../i18n/index.ts';
import { formatCount, formatCredits, formatDay } from '../lib/format.ts';
import { useAccountKinds } from '../lib/policy.ts';
import { Link, useLocation } from '../lib/router.tsx';
import { type Balances, isOpen } from '../lib/types.ts';
import { APP_VERSION } from '../lib/version.ts';
import { useOrders } from '../state/orders.tsx';
import { useMe } from '../state/session.tsx';
import { Icon, type IconName } from './Icon.tsx';

/**
 * After a navigation, screen-reader and keyboard users start at the new page's heading, like a page
 * load — or at what the page marked with `data-autofocus` (the order just bought). A page whose code
 * is still loading (the payment pages, App.tsx) has no heading yet: it is focused when it appears.
 */
function useFocusOnNavigate(pathname: string): void {
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new pathname is the event this effect reacts to
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    // While the next page loads, React keeps the previous one hidden (an inline display: none): not a target.
    const shown = (el: HTMLElement) => !el.closest('[style*="display: none"]');
    const focus = (): boolean => {
      const candidates = [
        ...document.querySelectorAll<HTMLElement>('main [data-autofocus]'),
        ...document.querySelectorAll<HTMLElement>('main h1'),
      ];
      const target = candidates.find(shown);
      if (!target) return false;
      if (!target.hasAttribute('data-autofocus')) window.scrollTo(0, 0);
      target.focus({ preventScroll: !target.hasAttribute('data-autofocus') });
      return true;
    };
    const main = document.querySelector('main');
    if (focus() || !main) return;
    window.scrollTo(0, 0);
    const observer = new MutationObserver(() => {
      if (focus()) observer.disconnect();
    });
    observer.observe(main, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [pathname]);
}

/** The navigation; `also`: other pages that belong to the item's area (the payments, to the balance). */
const NAV: readonly { to: string; label: string; icon: IconName; also?: readonly string[] }[] = [
  { to: '/buy', label: t.nav.buy, icon: 'buy' },
  { to: '/orders', label: t.nav.orders, icon: 'orders' },
  { to: '/rentals', label: t.nav.rentals, icon: 'history' },
  { to: '/history', label: t.nav.history, icon: 'history' },
  { to: '/balance', label: t.nav.balance, icon: 'balance', also: ['/payments'] },
  { to: '/top-up', label: t.nav.topUp, icon: 'topUp' },
  { to: '/support', label: t.nav.support, icon: 'support' },
  { to: '/account', label: t.nav.account, icon: 'account' },
];

const within = (pathname: string, to: string) => pathname === to || pathname.startsWith(`${to}/`);

function Footer() {
  return (
    <footer className="footer">
      <Link to="/privacy">{t.nav.privacy}</Link>
      <a href="/docs">{t.nav.apiDocs}</a>
      <span className="muted">
        {t.appName} {APP_VERSION}
      </span>
    </footer>
  );
}

/** The balance in the top bar: the credits, and the demo credits apart when there are any. */
export function balanceText(balance: Balances): string {
  const demo = balance.demo.available;
  if (demo === 0) return formatCredits(balance.available);
  if (balance.available === 0 && balance.held === 0) return t.nav.demoCredits(formatCount(demo));
  return t.nav.withDemo(formatCredits(balance.available), formatCount(demo));
}

/** The frame of every signed-in page: brand, balance, navigation (a bottom tab bar on phones), the policy banner. */
export function Shell({ children }: { children: ReactNode }) {
  const me = useMe();
  const { orders } = useOrders();
  const { pathname } = useLocation();
  useFocusOnNavigate(pathname);
  const active = orders.filter((o) => isOpen(o.status)).length;
  const balance = balanceText(me.balance);

  return (
    <div className="app">
      <a href="#main" className="skip-link">
        {t.nav.skip}
      </a>
      <header className="topbar">
        <Link to="/buy" className="brand">
          {t.appName}
        </Link>
        <nav aria-label={t.nav.label} className="nav">
          <ul>
            {NAV.map((item) => {
              const current = within(pathname, item.to) || (item.also ?? []).some((to) => within(pathname, to));
              return (
                <li key={item.to}>
                  <Link to={item.to} className="nav__link" aria-current={current ? 'page' : undefined}>
                    <Icon name={item.icon} />
                    <span>{item.label}</span>
                    {item.to === '/orders' && active > 0 ? (
                      <span className="nav__badge">
                        <span aria-hidden="true">{active}</span>
                        <span className="visually-hidden">{t.nav.activeOrders(active)}</span>
                      </span>
                    ) : null}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <Link to="/balance" className="balance-chip" aria-label={t.nav.balanceChip(balance)}>
          {balance}
        </Link>
      </header>
      {me.policy.acceptanceRequired && pathname !== '/privacy' ? (
        <section className="policy-banner" aria-label={t.privacy.acceptTitle}>
          <p>{t.policyBanner.text(formatDay(me.policy.lastUpdated))}</p>
          <Link to="/privacy" className="button button--small button--primary">
            {t.policyBanner.action}
          </Link>
        </section>
      ) : null}
      <main id="main" tabIndex={-1} className="main">
        {children}
      </main>
      <Footer />
    </div>
  );
}

/** The frame of the pages seen before signing in. */
export function PublicShell({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  useFocusOnNavigate(pathname);
  const offered = useAccountKinds();
  return (
    <div className="app app--public">
      <a href="#main" className="skip-link">
        {t.nav.skip}
      </a>
      <header className="topbar topbar--public">
        <Link to="/" className="brand">
          {t.appName}
        </Link>
        <nav aria-label={t.nav.label} className="public-nav">
          {pathname !== '/login' ? <Link to="/login">{t.nav.logIn}</Link> : null}
          {pathname !== '/signup' && offered.email ? (
            <Link to="/signup" className="button button--small button--primary">
              {t.nav.signUp}
            </Link>
          ) : null}
        </nav>
      </header>
      <main id="main" tabIndex={-1} className="main">
        {children}
      </main>
      <Footer />
    </div>
  );
}
