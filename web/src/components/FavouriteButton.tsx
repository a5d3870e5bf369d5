import { t } from '../i18n/index.ts';
import { Icon } from './Icon.tsx';

/** A star that remembers a favourite on this browser; its name says what, `aria-pressed` says whether. */
export function FavouriteButton({ name, active, onToggle }: { name: string; active: boolean; onToggle: () => void }) {
  return (
    <button type="button" className="favourite" aria-pressed={active} aria-label={t.buy.favourite(name)} onClick={onToggle}>
      <Icon name="star" filled={active} />
    </button>
  );
}
