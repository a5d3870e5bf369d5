// @vitest-environment happy-dom
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { BuyServices } from '../pages/BuyServices.tsx';
import { at, fakeApi, renderSignedIn } from '../test/render.tsx';

const SPRITE = '/api/v1/services/icons/0123456789abcdef.svg';
const service = (code: string, name: string, color: string | null) => ({
  code,
  name,
  aliases: [],
  icon: color ? `/api/v1/services/${code}/icon.svg` : null,
  color,
  available: 10,
  fromPrice: 14,
});
const services = [service('tg', 'Telegram', '26A5E4'), service('wa', 'WhatsApp', '25D366'), service('ot', 'Any other', null)];

describe('the service grid’s icons', () => {
  it('draws every brand icon from the one sprite the services list names, in the brand’s colour', async () => {
    at('/buy');
    fakeApi().on('GET', '/services', { services, iconSprite: SPRITE });
    const { container } = renderSignedIn(<BuyServices />);
    await screen.findByText('Any other');
    const uses = Array.from(container.querySelectorAll('.service-grid use'));
    expect(uses.map((use) => use.getAttribute('href'))).toEqual([`${SPRITE}#tg`, `${SPRITE}#wa`]);
    const tiles = uses.map((use) => use.closest<HTMLElement>('.service-icon'));
    expect(tiles.map((tile) => tile?.style.color)).toEqual(['#26A5E4', '#25D366']);
    expect(tiles.every((tile) => tile?.getAttribute('aria-hidden') === 'true')).toBe(true);
    // No icon of its own: the initial instead, and no request at all.
    expect(container.querySelector('.service-grid .service-icon--letter')?.textContent).toBe('A');
    expect(container.querySelector('[style*="icon.svg"]')).toBeNull();
  });
});
