// Every console page, registered in the navigation's order (registry.ts). One line per page.
import { createElement } from 'react';
import { c } from '../../i18n/console-en.ts';
import { registerConsolePage } from '../registry.ts';
import { CatalogPage } from './Catalog.tsx';
import { PaymentsPage } from './Payments.tsx';
import { PrivacyPage } from './Privacy.tsx';
import { ProvidersPage } from './Providers.tsx';

registerConsolePage({ path: '/providers', label: c.providers.nav, icon: 'topUp', order: 40, render: () => createElement(ProvidersPage) });
registerConsolePage({ path: '/catalog', label: c.catalog.nav, icon: 'search', order: 50, render: () => createElement(CatalogPage) });
registerConsolePage({
  path: '/payments',
  label: c.payments.nav,
  icon: 'balance',
  order: 60,
  render: (rest) => createElement(PaymentsPage, { rest }),
});
registerConsolePage({ path: '/privacy', label: c.privacy.nav, icon: 'account', order: 70, render: () => createElement(PrivacyPage) });
