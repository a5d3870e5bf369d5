import { lazy, type ReactNode, Suspense, useLayoutEffect } from 'react';
import { ErrorNotice, Loading } from './components/Notice.tsx';
import { LostAccessRequest, VerifyPrivacyRequest } from './components/privacy/LostAccess.tsx';
import { PublicShell, Shell } from './components/Shell.tsx';
import { t } from './i18n/index.ts';
import { NetworkError } from './lib/api.ts';
import { navigate, useLocation } from './lib/router.tsx';
import { Account } from './pages/Account.tsx';
import { Anonymous } from './pages/Anonymous.tsx';
import { Balance } from './pages/Balance.tsx';
import { BuyCountries } from './pages/BuyCountries.tsx';
import { BuyServices } from './pages/BuyServices.tsx';
import { ConfirmOrder } from './pages/ConfirmOrder.tsx';
import { Goodbye } from './pages/Goodbye.tsx';
import { History } from './pages/History.tsx';
import { Landing } from './pages/Landing.tsx';
import { LogIn, safeNext } from './pages/LogIn.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { Orders } from './pages/Orders.tsx';
import { ForgotPassword, ResetPassword } from './pages/PasswordReset.tsx';
import { SignUp } from './pages/SignUp.tsx';
import { VerifyEmail } from './pages/VerifyEmail.tsx';
import { OrdersProvider } from './state/orders.tsx';
import { useSession } from './state/session.tsx';

const paymentsArea = () => import('./pages/payments-area.ts');
const TopUp = lazy(() => paymentsArea().then((m) => ({ default: m.TopUp })));
const Payments = lazy(() => paymentsArea().then((m) => ({ default: m.Payments })));
const Payment = lazy(() => paymentsArea().then((m) => ({ default: m.Payment })));
const Receipt = lazy(() => paymentsArea().then((m) => ({ default: m.Receipt })));
const supportArea = () => import('./pages/support-area.ts');
const Support = lazy(() => supportArea().then((m) => ({ default: m.Support })));
const NewSupportConversation = lazy(() => supportArea().then((m) => ({ default: m.NewSupportConversation })));
const SupportConversation = lazy(() => supportArea().then((m) => ({ default: m.SupportConversation })));
const rentalsArea = () => import('./pages/rentals-area.ts');
const Rentals = lazy(() => rentalsArea().then((m) => ({ default: m.Rentals })));
const RentalPage = lazy(() => rentalsArea().then((m) => ({ default: m.RentalPage })));
// Pages few visits open load on first use, keeping the customer app's initial JavaScript under its
// budget (100 KB gzipped, scripts/bundle-size.mjs): the developer settings and the privacy policy.
const Developers = lazy(() => import('./pages/Developers.tsx').then((m) => ({ default: m.Developers })));
const Privacy = lazy(() => import('./pages/Privacy.tsx').then((m) => ({ default: m.Privacy })));

/** Pages of a signed-in account. */
function privatePage(segments: string[]): ReactNode | undefined {
  const [first, second, third, ...rest] = segments;
  if (rest.length > 0) return undefined;
  if (first === 'buy') {
    if (second && third) return <ConfirmOrder service={second.toLowerCase()} country={third.toUpperCase()} />;
    if (second) return <BuyCountries service={second.toLowerCase()} />;
    return <BuyServices />;
  }
  if (first === 'payments' && second && !third) return <Payment id={second} />;
  if (first === 'payments' && second && third === 'receipt') return <Receipt id={second} />;
  if (first === 'support' && second === 'new' && !third) return <NewSupportConversation />;
  if (first === 'support' && second && !third) return <SupportConversation id={second} />;
  if (first === 'rentals' && second && !third) return <RentalPage id={second} />;
  if (second) return undefined;
  switch (first) {
    case 'orders':
      return <Orders />;
    case 'history':
      return <History />;
    case 'balance':
      return <Balance />;
    case 'top-up':
      return <TopUp />;
    case 'payments':
      return <Payments />;
    case 'support':
      return <Support />;
    case 'rentals':
      return <Rentals />;
    case 'account':
      return <Account />;
    case 'developers':
      return <Developers />;
    default:
      return undefined;
  }
}

/** Pages of someone who is not signed in. */
function publicPage(pathname: string): ReactNode | undefined {
  switch (pathname) {
    case '/':
      return <Landing />;
    case '/signup':
      return <SignUp />;
    case '/login':
      return <LogIn />;
    case '/start':
      return <Anonymous />;
    case '/forgot-password':
      return <ForgotPassword />;
    default:
      return undefined;
  }
}

/** Pages for everyone: the policy, and the targets of the links in our e-mails. */
function sharedPage(pathname: string): ReactNode | undefined {
  switch (pathname) {
    case '/privacy':
      return <Privacy />;
    case '/verify-email':
      return <VerifyEmail />;
    case '/reset-password':
      return <ResetPassword />;
    case '/privacy/requests/by-email':
      return <LostAccessRequest />;
    case '/privacy/requests/verify':
      return <VerifyPrivacyRequest />;
    case '/goodbye':
      return <Goodbye />;
    default:
      return undefined;
  }
}

function Redirect({ to }: { to: string }) {
  useLayoutEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Unreachable() {
  const { refresh } = useSession();
  return (
    <main id="main" className="main splash">
      <h1>{t.appName}</h1>
      <ErrorNotice error={new NetworkError()} onRetry={() => void refresh()} />
    </main>
  );
}

export function App() {
  const { state } = useSession();
  const { pathname, search } = useLocation();
  const segments = pathname.split('/').filter(Boolean);

  if (state.status === 'loading') {
    return (
      <main id="main" className="main splash">
        <Loading />
      </main>
    );
  }
  if (state.status === 'unreachable') return <Unreachable />;

  if (state.status === 'signed-in') {
    if (publicPage(pathname) !== undefined && pathname !== '/forgot-password') return <Redirect to={safeNext(search.get('next'))} />;
    return (
      <OrdersProvider accountId={state.me.id}>
        <Shell>
          <Suspense fallback={<Loading />}>
            {privatePage(segments) ?? sharedPage(pathname) ?? publicPage(pathname) ?? <NotFound />}
          </Suspense>
        </Shell>
      </OrdersProvider>
    );
  }

  const page = publicPage(pathname) ?? sharedPage(pathname);
  if (page) return <PublicShell>{page}</PublicShell>;
  if (privatePage(segments)) return <Redirect to={`/login?next=${encodeURIComponent(pathname + (search.size > 0 ? `?${search}` : ''))}`} />;
  return (
    <PublicShell>
      <NotFound />
    </PublicShell>
  );
}
