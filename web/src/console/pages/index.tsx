// Every console page, registered in the navigation's order (registry.ts). One call per page.
import { c } from '../../i18n/console-en.ts';
import { registerConsolePage } from '../registry.ts';
import { Accounts } from './Accounts.tsx';
import { CatalogPage } from './Catalog.tsx';
import { JobsPage } from './Jobs.tsx';
import { NumbersPage } from './Numbers.tsx';
import { OrdersPage } from './Orders.tsx';
import { OverviewPage } from './overview/Overview.tsx';
import { PackagesPage } from './Packages.tsx';
import { PaymentsPage } from './Payments.tsx';
import { PrivacyPage } from './Privacy.tsx';
import { ProvidersPage } from './Providers.tsx';
import { StaffPage } from './Staff.tsx';
import { SecurityPage } from './security/Security.tsx';
import { SupportPage } from './support/Support.tsx';

registerConsolePage({ path: '/overview', label: c.overview.nav, icon: 'history', order: 10, render: () => <OverviewPage /> });
registerConsolePage({ path: '/accounts', label: c.accounts.nav, icon: 'account', order: 20, render: (rest) => <Accounts rest={rest} /> });
registerConsolePage({ path: '/orders', label: c.orders.nav, icon: 'history', order: 30, render: (rest) => <OrdersPage rest={rest} /> });
registerConsolePage({ path: '/providers', label: c.providers.nav, icon: 'topUp', order: 40, render: () => <ProvidersPage /> });
registerConsolePage({ path: '/numbers', label: c.numbers.nav, icon: 'orders', order: 45, render: () => <NumbersPage /> });
registerConsolePage({ path: '/catalog', label: c.catalog.nav, icon: 'search', order: 50, render: () => <CatalogPage /> });
registerConsolePage({
  path: '/payments',
  label: c.payments.nav,
  icon: 'balance',
  order: 60,
  render: (rest) => <PaymentsPage rest={rest} />,
});
registerConsolePage({ path: '/packages', label: c.packages.nav, icon: 'star', order: 65, render: () => <PackagesPage /> });
registerConsolePage({ path: '/privacy', label: c.privacy.nav, icon: 'account', order: 70, render: () => <PrivacyPage /> });
registerConsolePage({
  path: '/security',
  label: c.security.nav,
  icon: 'alert',
  order: 80,
  adminOnly: true,
  render: (rest) => <SecurityPage rest={rest} />,
});
registerConsolePage({ path: '/staff', label: c.staff.nav, icon: 'account', order: 85, adminOnly: true, render: () => <StaffPage /> });
registerConsolePage({ path: '/jobs', label: c.jobs.nav, icon: 'check', order: 90, render: () => <JobsPage /> });
registerConsolePage({ path: '/support', label: c.support.nav, icon: 'support', order: 100, render: (rest) => <SupportPage rest={rest} /> });
