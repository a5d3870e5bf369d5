import { useEffect, useState } from 'react';
import { t } from '../i18n/index.ts';

type Modules = boolean[][];

/**
 * The QR code library (uqr: no dependencies, about 7 KB compressed) loads with the first code shown,
 * in a chunk of its own (vite.config.ts): most visits never show one.
 */
let encoder: Promise<(text: string) => Modules> | undefined;

function loadEncoder(): Promise<(text: string) => Modules> {
  encoder ??= import('uqr').then(
    ({ encode }) =>
      (text: string) =>
        // Medium error correction (15 %) survives a smudged or glare-struck screen; four modules of quiet zone, as the standard asks.
        encode(text, { ecc: 'M', border: 4 }).data,
    (error: unknown) => {
      encoder = undefined;
      throw error;
    },
  );
  return encoder;
}

/** One SVG path for the dark modules: a run of dark modules in a row is one rectangle. */
export function modulesPath(modules: Modules): string {
  const parts: string[] = [];
  modules.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x += 1;
        continue;
      }
      const start = x;
      while (x < row.length && row[x]) x += 1;
      parts.push(`M${start} ${y}h${x - start}v1h${start - x}z`);
    }
  });
  return parts.join('');
}

/**
 * `text` as a QR code: dark modules on white whatever the theme (scanners need the contrast), drawn
 * as inline SVG (the CSP allows no inline styles, and no image leaves the origin).
 */
export function QrCode({ text, label }: { text: string; label: string }) {
  const [modules, setModules] = useState<Modules>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    setModules(undefined);
    setFailed(false);
    loadEncoder()
      .then((encode) => {
        if (live) setModules(encode(text));
      })
      .catch(() => {
        if (live) setFailed(true);
      });
    return () => {
      live = false;
    };
  }, [text]);

  if (failed) return <p className="muted">{t.bitcoin.qrFailed}</p>;
  if (!modules) return <div className="qr qr--loading" aria-hidden="true" />;
  const width = modules.length;
  return (
    <svg className="qr" role="img" aria-label={label} viewBox={`0 0 ${width} ${width}`} shapeRendering="crispEdges" data-testid="qr-code">
      <rect width={width} height={width} fill="#ffffff" />
      <path d={modulesPath(modules)} fill="#000000" />
    </svg>
  );
}
