// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, json, type Recorded } from '../../test/fake-api.ts';
import { consoleAt } from '../test-console.tsx';
import type { CatalogRuleView, PricePreview } from './Catalog.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const rule = (over: Partial<CatalogRuleView> = {}): CatalogRuleView => ({
  id: 'rul_1',
  scope: 'country',
  service: null,
  country: 'ID',
  label: 'Indonesia',
  disabled: true,
  priceCredits: null,
  markupPercent: null,
  ...over,
});

const show = (role: 'admin' | 'support', rules: CatalogRuleView[]) =>
  consoleAt('/admin/catalog', role, {
    '/admin/catalog/rules': { rules },
    '/services': { services: [{ code: 'tg', name: 'Telegram' }] },
    '/countries': { countries: [{ code: 'ID', name: 'Indonesia' }] },
  });

const preview: PricePreview = {
  label: 'Telegram in Indonesia',
  service: 'tg',
  country: 'ID',
  sold: true,
  rules: [rule({ scope: 'pair', service: 'tg', label: 'Telegram in Indonesia', disabled: false, markupPercent: '40' })],
  offers: [
    { provider: 'cheap', cost: 0.25, currency: 'USD', markupPercent: '0', feeCredits: 0, priority: 5, price: 35, inStock: 10, wins: true },
    { provider: 'dear', cost: 0.3, currency: 'USD', markupPercent: '100', feeCredits: 2, priority: 1, price: 44, inStock: 3, wins: false },
  ],
};

describe('Catalog page', () => {
  it('lists the rules and previews prices per provider with the winning offer; support staff get no change form', async () => {
    const api = show('support', [
      rule(),
      rule({ id: 'rul_2', scope: 'service', service: 'wa', country: null, label: 'WhatsApp', disabled: false, priceCredits: 50 }),
    ]);
    api.on('GET', '/admin/catalog/preview?service=tg&country=ID', preview);
    const table = await screen.findByRole('table', { name: 'Rules' });
    expect(within(table).getByRole('row', { name: /Indonesia/ }).textContent).toContain('not sold');
    expect(within(table).getByRole('row', { name: /WhatsApp/ }).textContent).toContain('fixed price 50 credits');
    expect(screen.queryByRole('form', { name: 'Change a rule' })).toBeNull();

    const form = screen.getByRole('form', { name: 'Price preview' });
    fireEvent.change(within(form).getByLabelText('Service code'), { target: { value: 'tg' } });
    fireEvent.change(within(form).getByLabelText('Country code'), { target: { value: 'id' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Show prices' }));
    const prices = await screen.findByRole('table', { name: 'Prices for Telegram in Indonesia' });
    const cheap = within(prices).getByRole('row', { name: /cheap/ });
    expect(cheap.textContent).toContain('35 credits');
    expect(cheap.textContent).toContain('Wins');
    expect(within(prices).getByRole('row', { name: /dear/ }).textContent).toContain('Fallback');
    expect(screen.getByText(/Rules that apply: Telegram in Indonesia: markup 40 %/)).toBeTruthy();
  });

  it('says when the pair is not sold, and shows a refused preview in an alert', async () => {
    const api = show('support', []);
    api.on('GET', '/admin/catalog/preview?service=tg&country=ID', { ...preview, sold: false, offers: [], rules: [rule()] });
    api.on('GET', '/admin/catalog/preview?service=zz&country=ID', () =>
      apiError(400, 'VALIDATION_FAILED', 'there is no service with the code "zz"'),
    );
    expect(await screen.findByText(/No rules/)).toBeTruthy();
    const form = screen.getByRole('form', { name: 'Price preview' });
    fireEvent.change(within(form).getByLabelText('Service code'), { target: { value: 'zz' } });
    fireEvent.change(within(form).getByLabelText('Country code'), { target: { value: 'ID' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Show prices' }));
    expect((await screen.findByRole('alert')).textContent).toContain('no service with the code');
    fireEvent.change(within(form).getByLabelText('Service code'), { target: { value: 'tg' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Show prices' }));
    expect(await screen.findByText('Not sold: a rule disables it.')).toBeTruthy();
  });

  it('lets an admin disable a country with a reason, then fix a pair’s price', async () => {
    const api = show('admin', []);
    api.on('POST', '/admin/catalog/rules', (request: Recorded) => {
      const body = request.body as Record<string, unknown>;
      return json(
        200,
        body.disabled
          ? { label: 'Indonesia', rule: rule() }
          : { label: 'Telegram in Indonesia', rule: rule({ scope: 'pair', disabled: false, priceCredits: 30 }) },
      );
    });
    const form = await screen.findByRole('form', { name: 'Change a rule' });
    fireEvent.change(within(form).getByLabelText('Country code'), { target: { value: 'id' } });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'fraud wave' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Apply' }));
    expect((await screen.findByRole('status')).textContent).toBe('Indonesia: not sold. Live on every instance now.');
    expect(api.calls('POST', '/admin/catalog/rules')[0]?.body).toEqual({ country: 'ID', disabled: true, reason: 'fraud wave' });

    fireEvent.change(within(form).getByLabelText('Service code'), { target: { value: 'tg' } });
    fireEvent.change(within(form).getByLabelText('Change'), { target: { value: 'price' } });
    fireEvent.change(within(form).getByLabelText('Price (credits)'), { target: { value: '30' } });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'promotion' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Apply' }));
    await screen.findByText(/fixed price 30 credits/);
    expect(api.calls('POST', '/admin/catalog/rules')[1]?.body).toEqual({
      service: 'tg',
      country: 'ID',
      priceCredits: 30,
      markupPercent: null,
      reason: 'promotion',
    });
    // The list is read again after the change; that read may follow the status line.
    await waitFor(() => expect(api.calls('GET', '/admin/catalog/rules')).toHaveLength(3));
  });
});
