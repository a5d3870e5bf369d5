import { iconSprite } from '../lib/catalog-data.ts';
import type { Service } from '../lib/types.ts';

/**
 * The brand icon drawn in the brand's colour on a light tile that reads in both themes; the brand's
 * initial where there is no icon. Every icon is a symbol of one SVG sprite the server serves as
 * immutable, so a grid of 45 services costs one request. Decorative: the name is always written next to it.
 */
export function ServiceIcon({ service, code, size = 40 }: { service: Service | undefined; code: string; size?: number }) {
  const sprite = iconSprite();
  if (service?.icon && sprite) {
    return (
      <span
        className="service-icon"
        style={{ width: size, height: size, color: service.color ? `#${service.color}` : undefined }}
        aria-hidden="true"
      >
        <svg className="service-icon__glyph" viewBox="0 0 24 24" focusable="false" aria-hidden="true">
          <use href={`${sprite}#${service.code}`} />
        </svg>
      </span>
    );
  }
  const initial = (service?.name ?? code).slice(0, 1).toUpperCase();
  return (
    <span className="service-icon service-icon--letter" style={{ width: size, height: size }} aria-hidden="true">
      {initial}
    </span>
  );
}
