// The console's pages register here; the navigation is built from what registered, in `order`. A page
// that does not exist yet has no entry, so the navigation never links to nothing. Other areas (orders,
// providers, payments, privacy, security, jobs, support) add a file under pages/ and one line in
// pages/index.tsx.

import type { ReactNode } from 'react';
import type { IconName } from '../components/Icon.tsx';

export interface ConsolePage {
  /** The page's path under /admin (`/accounts`); the page also answers paths below it (`/accounts/acc_…`). */
  path: string;
  label: string;
  icon: IconName;
  /** Position in the navigation (Overview 10, Accounts 20, Orders 30, Providers 40, Numbers 45, Catalog 50, Payments 60, Packages 65, Privacy 70, Security 80, Staff 85, Jobs 90, Support 100). */
  order: number;
  /** Only admins see it (support staff get no link, and the API refuses them anyway). */
  adminOnly?: boolean;
  /** The page, given the rest of the path after `path` (`acc_…` for /accounts/acc_…). */
  render: (rest: string) => ReactNode;
}

const pages: ConsolePage[] = [];

export function registerConsolePage(page: ConsolePage): void {
  if (pages.some((existing) => existing.path === page.path)) throw new Error(`console page ${page.path} registered twice`);
  pages.push(page);
  pages.sort((a, b) => a.order - b.order);
}

export const consolePages = (): readonly ConsolePage[] => pages;

/** The page for a path under /admin, and the rest of the path after it. */
export function pageFor(subpath: string): { page: ConsolePage; rest: string } | undefined {
  for (const page of pages) {
    if (subpath === page.path) return { page, rest: '' };
    if (subpath.startsWith(`${page.path}/`)) return { page, rest: subpath.slice(page.path.length + 1) };
  }
  return undefined;
}
