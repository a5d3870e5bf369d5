/// <reference lib="dom" />
// Accessibility checks on each main screen. axe-core runs the WCAG 2.2 A and AA rules (contrast against
// what is really behind the text, names, roles, ARIA, landmarks…) in the light and the dark theme; the
// checks kept in the page are those axe does not make: every control has a name a screen reader can
// announce, the page does not scroll sideways, one h1, ids unique, and label in name (axe's rule for
// it is experimental).

import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** The WCAG 2.2 level A and AA rules axe-core knows. */
export const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const THEMES = ['light', 'dark'] as const;

export interface AuditReport {
  unnamed: string[];
  /** What axe-core finds in each theme: "dark: color-contrast .muted (…)". */
  axe: string[];
  /** Elements that stick out past the right edge (the page would scroll sideways). */
  horizontalOverflow: string[];
  h1Count: number;
  hasMain: boolean;
  lang: string;
  duplicateIds: string[];
  imagesWithoutAlt: string[];
  /** Controls whose aria-label does not start with their visible text (WCAG 2.5.3, label in name). */
  labelNotInName: string[];
}

export async function audit(page: Page): Promise<AuditReport> {
  // Audit the page as it settles: its heading shown, nothing loading any more.
  await page.locator('h1').first().waitFor();
  await page.waitForFunction(() => document.querySelector('.loading') === null);
  const axe = await axeInEachTheme(page);
  const report = await page.evaluate(() => {
    const visible = (el: Element) => {
      // checkVisibility also knows what a closed <details> hides.
      if (!el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true })) return false;
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    };
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`;

    const nameOf = (el: Element): string => {
      const labelledBy = el.getAttribute('aria-labelledby');
      if (labelledBy) {
        return labelledBy
          .split(/\s+/)
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' ')
          .trim();
      }
      const label = el.getAttribute('aria-label');
      if (label?.trim()) return label.trim();
      if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) {
        const byFor = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
        const wrapping = el.closest('label');
        return ((byFor ?? wrapping)?.textContent ?? el.title ?? '').trim();
      }
      const text = (el as HTMLElement).innerText?.trim();
      if (text) return text;
      const img = el.querySelector('img[alt]');
      return (img?.getAttribute('alt') ?? el.getAttribute('title') ?? '').trim();
    };

    const controls = Array.from(document.querySelectorAll('a[href], button, input:not([type="hidden"]), textarea, select, summary')).filter(
      visible,
    );
    const unnamed = controls.filter((el) => nameOf(el) === '').map(describe);

    // Label in name: speech input users say what they see, so an aria-label must start with the visible text.
    const shownText = (node: Node): string => {
      if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? '';
      if (!(node instanceof Element) || node.getAttribute('aria-hidden') === 'true' || node.classList.contains('visually-hidden'))
        return '';
      return Array.from(node.childNodes).map(shownText).join('');
    };
    const squash = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();
    const labelNotInName = controls
      .filter((el) => el.hasAttribute('aria-label'))
      .filter((el) => {
        const shown = squash(shownText(el));
        return shown !== '' && !squash(el.getAttribute('aria-label') ?? '').startsWith(shown);
      })
      .map((el) => `${describe(el)} aria-label="${el.getAttribute('aria-label')}"`);

    const ids = Array.from(document.querySelectorAll('[id]')).map((el) => el.id);
    return {
      unnamed,
      horizontalOverflow:
        document.documentElement.scrollWidth > document.documentElement.clientWidth
          ? Array.from(document.querySelectorAll('body *'))
              .filter((el) => visible(el) && el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
              .slice(-5)
              .map((el) => `${describe(el)} right=${Math.round(el.getBoundingClientRect().right)}`)
          : [],
      h1Count: document.querySelectorAll('h1').length,
      hasMain: document.querySelector('main') !== null,
      lang: document.documentElement.lang,
      duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i),
      imagesWithoutAlt: Array.from(document.querySelectorAll('img:not([alt])')).map(describe),
      labelNotInName,
    };
  });
  return { ...report, axe };
}

/**
 * axe-core over the page in the light theme, then the dark one (the stylesheet reads `data-theme`),
 * then the page's own theme back.
 */
async function axeInEachTheme(page: Page): Promise<string[]> {
  const own = await page.evaluate(() => document.documentElement.getAttribute('data-theme'));
  const found: string[] = [];
  try {
    for (const theme of THEMES) {
      await page.evaluate((value) => document.documentElement.setAttribute('data-theme', value), theme);
      const { violations } = await new AxeBuilder({ page }).withTags(WCAG_22_AA).analyze();
      for (const violation of violations)
        for (const node of violation.nodes)
          found.push(
            `${theme}: ${violation.id} ${node.target.join(' ')} — ${(node.failureSummary ?? violation.help).replace(/\s+/g, ' ')}`,
          );
    }
  } finally {
    await page.evaluate((value) => {
      if (value === null) document.documentElement.removeAttribute('data-theme');
      else document.documentElement.setAttribute('data-theme', value);
    }, own);
  }
  return found;
}

/** The report of a page that passes: used with toEqual so a failure shows exactly what is wrong. */
export const CLEAN_AUDIT: AuditReport = {
  unnamed: [],
  axe: [],
  horizontalOverflow: [],
  h1Count: 1,
  hasMain: true,
  lang: 'en',
  duplicateIds: [],
  imagesWithoutAlt: [],
  labelNotInName: [],
};
