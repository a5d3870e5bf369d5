import { createHash } from 'node:crypto';
import { SERVICES, serviceIconSvg } from './services.ts';

// Every brand icon of the catalog in one SVG document, one <symbol id="<service code>"> each: the
// service grid draws them with <use href="<sprite>#tg">, so a phone makes one request where it made
// one per service. The sprite's URL carries a hash of its content, so it can be cached as immutable:
// a new simple-icons version or a new service changes the hash, and with it the URL.

export interface IconSprite {
  svg: string;
  /** The first 16 hex digits of the SHA-256 of `svg`. */
  hash: string;
}

const PATH = /<path d="([^"]+)"\/>/;
let sprite: IconSprite | undefined;

/** Built on first use (it reads one file per icon), then kept: the catalog's icons do not change while running. */
export function iconSprite(): IconSprite {
  if (sprite) return sprite;
  const symbols = SERVICES.flatMap((service) => {
    const path = PATH.exec(serviceIconSvg(service.code) ?? '')?.[1];
    return path ? [`<symbol id="${service.code}" viewBox="0 0 24 24"><path d="${path}"/></symbol>`] : [];
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg">${symbols.join('')}</svg>`;
  sprite = { svg, hash: createHash('sha256').update(svg).digest('hex').slice(0, 16) };
  return sprite;
}

/** Where the sprite is served: a new URL whenever its content changes. */
export const iconSpriteUrl = (): string => `/api/v1/services/icons/${iconSprite().hash}.svg`;
