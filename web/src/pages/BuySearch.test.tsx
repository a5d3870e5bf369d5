// @vitest-environment happy-dom
import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { at, fakeApi, renderSignedIn } from '../test/render.tsx';
import { BuyCountries } from './BuyCountries.tsx';
import { BuyServices } from './BuyServices.tsx';

const service = (code: string, name: string, aliases: string[] = []) => ({
  code,
  name,
  aliases,
  icon: null,
  color: null,
  available: 10,
  fromPrice: 14,
});
const services = [
  service('tg', 'Telegram', ['tg']),
  service('go', 'Google', ['youtube', 'gmail']),
  service('uk', 'Airbnb'),
  service('ma', 'Mail.ru', ['mailru']),
  service('mb', 'Yahoo', ['yahoo mail']),
];
const country = (code: string, name: string, fromPrice: number, aliases: string[] = []) => ({
  code,
  name,
  dialCode: '1',
  aliases,
  flag: '',
  available: 10,
  fromPrice,
});
// Ukraine is the cheaper: without a search it comes first, with "uk" the exact alias wins.
const countries = [country('UA', 'Ukraine', 20), country('GB', 'United Kingdom', 90, ['UK', 'England']), country('FI', 'Finland', 30)];

const typeInto = (label: string, text: string) => fireEvent.change(screen.getByLabelText(label), { target: { value: text } });
const names = (list: HTMLElement, selector: string) =>
  Array.from(list.querySelectorAll(selector)).map((name) => (name.firstChild?.textContent ?? '').trim());

describe('searching the catalogue', () => {
  it('finds services by name and alias as you type, and never Airbnb for "uk"', async () => {
    at('/buy');
    fakeApi().on('GET', '/services', { services });
    const { container } = renderSignedIn(<BuyServices />);
    await screen.findByText('Airbnb');
    const grid = container.querySelector('.service-grid') as HTMLElement;

    typeInto('Search services', 'uk');
    expect(screen.getByText('No service matches “uk”.')).toBeTruthy();
    expect(within(grid).queryByText('Airbnb')).toBeNull();

    typeInto('Search services', 'youtube');
    expect(names(grid, '.service-tile__name')).toEqual(['Google']);

    typeInto('Search services', 'mail');
    expect(names(grid, '.service-tile__name')).toEqual(['Mail.ru', 'Yahoo']);
  });

  it('finds "UK" as the United Kingdom, before Ukraine, on the country page', async () => {
    at('/buy/tg');
    fakeApi().on('GET', '/countries?service=tg', { countries });
    const { container } = renderSignedIn(<BuyCountries service="tg" />);
    await screen.findByText('Finland');
    const list = container.querySelector('.country-list') as HTMLElement;
    expect(names(list, '.country-row__name')).toEqual(['Ukraine', 'Finland', 'United Kingdom']);

    typeInto('Search countries', 'uk');
    expect(names(list, '.country-row__name')).toEqual(['United Kingdom', 'Ukraine']);

    typeInto('Search countries', 'land');
    expect(screen.getByText('No country matches “land”.')).toBeTruthy();
  });
});
