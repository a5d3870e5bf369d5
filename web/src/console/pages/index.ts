// Every console page, registered in the navigation's order (registry.ts). One line per page.
import { createElement } from 'react';
import { c } from '../../i18n/console-en.ts';
import { registerConsolePage } from '../registry.ts';
import { OverviewPage } from './overview/Overview.tsx';

registerConsolePage({ path: '/overview', label: c.overview.nav, icon: 'history', order: 10, render: () => createElement(OverviewPage) });
