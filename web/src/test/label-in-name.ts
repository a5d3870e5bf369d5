// WCAG 2.5.3 (label in name): someone who says "click New secret" to their speech software must reach
// the button that shows "New secret". A control whose aria-label replaces its visible text must start
// with that text; more words may follow ("Remove https://…").

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();

/** The text a sighted user reads on the control: without icons and other aria-hidden or visually hidden parts. */
function visibleText(node: Node): string {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? '';
  if (!(node instanceof Element)) return '';
  if (node.getAttribute('aria-hidden') === 'true' || node.classList.contains('visually-hidden')) return '';
  return Array.from(node.childNodes).map(visibleText).join('');
}

/** The controls under `root` whose aria-label does not start with their visible text, described. */
export function labelsNotStartingWithVisibleText(root: ParentNode): string[] {
  const faults: string[] = [];
  for (const control of Array.from(
    root.querySelectorAll('a[aria-label], button[aria-label], [role="button"][aria-label], [role="link"][aria-label]'),
  )) {
    const shown = normalise(visibleText(control));
    const label = normalise(control.getAttribute('aria-label') ?? '');
    if (shown !== '' && !label.startsWith(shown)) faults.push(`"${label}" does not start with "${shown}"`);
  }
  return faults;
}
