// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Flag } from './Flag.tsx';

afterEach(cleanup);

describe('a country flag', () => {
  it('is an SVG image of our own origin, named for screen readers by the country', () => {
    render(<Flag code="GB" name="United Kingdom" />);
    const flag = screen.getByRole('img', { name: 'United Kingdom' }) as HTMLImageElement;
    expect(flag.tagName).toBe('IMG');
    expect(flag.getAttribute('src')).toBe('/assets/flags/GB.svg');
    expect(flag.getAttribute('loading')).toBe('lazy');
    expect(screen.queryByText('GB')).toBeNull();
  });

  it('is silent beside the country’s written name, so it is not read twice', () => {
    const { container } = render(
      <p>
        <Flag code="ID" name="Indonesia" decorative /> Indonesia
      </p>,
    );
    expect(container.querySelector('img')?.getAttribute('alt')).toBe('');
    expect(screen.queryByRole('img')).toBeNull();
  });

  it('shows the code where the image cannot load, still named', () => {
    render(<Flag code="ZZ" name="Nowhere" />);
    fireEvent.error(screen.getByRole('img', { name: 'Nowhere' }));
    const badge = screen.getByRole('img', { name: 'Nowhere' });
    expect(badge.tagName).toBe('SPAN');
    expect(badge.textContent).toBe('ZZ');
  });
});
