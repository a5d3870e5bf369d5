/// <reference lib="dom" />
// Accessibility checks run inside the page on each main screen: every control has a name a screen
// reader can announce, text meets WCAG AA contrast (4.5:1, 3:1 for large text) against what is really
// behind it, the page does not scroll sideways, and the document has its landmarks.

import type { Page } from 'playwright-core';

export interface AuditReport {
  unnamed: string[];
  lowContrast: string[];
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
  return page.evaluate(() => {
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

    // Contrast: the colour of each visible piece of text against the first opaque background behind it.
    const parse = (colour: string): [number, number, number, number] => {
      const parts = colour.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 1];
      return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 1];
    };
    const luminance = ([r, g, b]: number[]) => {
      const channel = (v: number) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r ?? 0) + 0.7152 * channel(g ?? 0) + 0.0722 * channel(b ?? 0);
    };
    const backgroundOf = (el: Element): [number, number, number] | undefined => {
      let node: Element | null = el;
      while (node) {
        const style = getComputedStyle(node);
        if (style.backgroundImage !== 'none') return undefined;
        const [r, g, b, a] = parse(style.backgroundColor);
        if (a >= 0.99) return [r, g, b];
        node = node.parentElement;
      }
      return [255, 255, 255];
    };
    const lowContrast: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set<Element>();
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      const el = text.parentElement;
      if (!el || seen.has(el) || !(text.textContent ?? '').trim() || !visible(el)) continue;
      seen.add(el);
      if (el.closest('[aria-hidden="true"], .visually-hidden, button:disabled, noscript')) continue;
      const style = getComputedStyle(el);
      const [r, g, b, a] = parse(style.color);
      const background = backgroundOf(el);
      if (!background || a < 0.99) continue;
      const [l1, l2] = [luminance([r, g, b]), luminance(background)].sort((x, y) => y - x) as [number, number];
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = Number.parseFloat(style.fontSize);
      const bold = Number(style.fontWeight) >= 700;
      const large = size >= 24 || (bold && size >= 18.66);
      if (ratio < (large ? 3 : 4.5))
        lowContrast.push(`${describe(el)} ${ratio.toFixed(2)}:1 (${style.color} on rgb(${background.join(', ')}))`);
    }

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
      lowContrast,
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
}

/** The report of a page that passes: used with toEqual so a failure shows exactly what is wrong. */
export const CLEAN_AUDIT: AuditReport = {
  unnamed: [],
  lowContrast: [],
  horizontalOverflow: [],
  h1Count: 1,
  hasMain: true,
  lang: 'en',
  duplicateIds: [],
  imagesWithoutAlt: [],
  labelNotInName: [],
};
