// Every console page, registered in the navigation's order (registry.ts). One call per page.
import { c } from '../../i18n/console-en.ts';
import { registerConsolePage } from '../registry.ts';
import { Accounts } from './Accounts.tsx';

registerConsolePage({ path: '/accounts', label: c.accounts.nav, icon: 'account', order: 20, render: (rest) => <Accounts rest={rest} /> });
