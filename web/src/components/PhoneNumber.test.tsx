// @vitest-environment happy-dom
import { cleanup, render, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPhoneFormatter } from '../lib/format.ts';
import { PhoneNumber } from './PhoneNumber.tsx';

afterEach(cleanup);

const shown = (container: HTMLElement) => container.querySelector('.phone__number [translate="no"]')?.textContent;

// In this order: the formatting rules are not loaded when the first test starts (one module per file).
describe('the rented number', () => {
  it('never shows the raw E.164 form while its formatting rules load: the room is kept, unseen', async () => {
    const { container } = render(<PhoneNumber phone="+6281200000001" dialCode="62" />);
    expect(shown(container)).toBeUndefined();
    const pending = container.querySelector('.phone__pending');
    expect(pending?.getAttribute('aria-hidden')).toBe('true');
    expect(pending?.textContent).toBe('+6281200000001');

    await waitFor(() => expect(shown(container)).toMatch(/^\+62 812[ -]?0000[ -]?0001$/));
    expect(container.querySelector('.phone__pending')).toBeNull();
  });

  it('is formatted from its first paint once the rules are loaded (the buy page loads them ahead)', async () => {
    await loadPhoneFormatter();
    const { container } = render(<PhoneNumber phone="+447700900123" dialCode="44" />);
    expect(shown(container)).toBe('+44 7700 900123');
    expect(container.querySelector('.phone__pending')).toBeNull();
  });
});
