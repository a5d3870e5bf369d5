import type { CSSProperties } from 'react';
import type { Service } from '../lib/types.ts';

/**
 * The brand icon (an SVG the otpbox server serves) drawn in the brand's colour through a CSS mask, on a
 * light tile that reads in both themes; the brand's initial where there is no icon. Decorative: the
 * name is always written next to it.
 */
export function ServiceIcon({ service, code, size = 40 }: { service: Service | undefined; code: string; size?: number }) {
  const colour = service?.color ? `#${service.color}` : undefined;
  if (service?.icon) {
    const style = { width: size, height: size, '--icon': `url("${service.icon}")`, '--brand': colour ?? '#1f2937' } as CSSProperties;
    return <span className="service-icon service-icon--mask" style={style} aria-hidden="true" />;
  }
  const initial = (service?.name ?? code).slice(0, 1).toUpperCase();
  return (
    <span className="service-icon service-icon--letter" style={{ width: size, height: size }} aria-hidden="true">
      {initial}
    </span>
  );
}
