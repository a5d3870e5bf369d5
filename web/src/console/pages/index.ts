// Every console page, registered in the navigation's order (registry.ts). One line per page.
import { createElement } from 'react';
import { c } from '../../i18n/console-en.ts';
import { registerConsolePage } from '../registry.ts';
import { JobsPage } from './Jobs.tsx';
import { OverviewPage } from './overview/Overview.tsx';
import { SecurityPage } from './security/Security.tsx';
import { SupportPage } from './support/Support.tsx';

registerConsolePage({ path: '/overview', label: c.overview.nav, icon: 'history', order: 10, render: () => createElement(OverviewPage) });
registerConsolePage({ path: '/jobs', label: c.jobs.nav, icon: 'check', order: 90, render: () => createElement(JobsPage) });
registerConsolePage({
  path: '/support',
  label: c.support.nav,
  icon: 'support',
  order: 100,
  render: (rest) => createElement(SupportPage, { rest }),
});
registerConsolePage({
  path: '/security',
  label: c.security.nav,
  icon: 'alert',
  order: 80,
  adminOnly: true,
  render: (rest) => createElement(SecurityPage, { rest }),
});
