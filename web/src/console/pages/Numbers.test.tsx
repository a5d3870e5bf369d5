// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, json, type Recorded } from '../../test/fake-api.ts';
import { consoleAt } from '../test-console.tsx';
import type { PoolGateway, PoolNumber, UnmatchedMessage } from './Numbers.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const gateway = (over: Partial<PoolGateway> = {}): PoolGateway => ({
  name: 'phone-1',
  kind: 'android-sms-gateway',
  state: 'up',
  lastSeenAt: '2030-01-01T10:00:00.000Z',
  numbers: 2,
  createdAt: '2029-12-01T10:00:00.000Z',
  ...over,
});

const poolNumber = (over: Partial<PoolNumber> = {}): PoolNumber => ({
  number: '+14155550100',
  gateway: 'phone-1',
  country: 'US',
  services: null,
  device: 'dev-1',
  sim: 1,
  cost: 0.05,
  state: 'free',
  coolingUntil: null,
  lastSoldAt: null,
  rentPerDay: null,
  ...over,
});

const message = (over: Partial<UnmatchedMessage> = {}): UnmatchedMessage => ({
  id: 'gmsg_2',
  receivedAt: '2030-01-01T11:00:00.000Z',
  gateway: 'phone-1',
  number: '+14155550100',
  sender: '+447700900001',
  text: 'Hello from a stranger',
  ...over,
});

const show = (role: 'admin' | 'support', gateways: PoolGateway[], numbers: PoolNumber[]) =>
  consoleAt('/admin/numbers', role, { '/admin/pool/gateways': { gateways }, '/admin/pool/numbers': { numbers } });

describe('Numbers page', () => {
  it('shows gateways (down in red, no secret) and numbers with state, cost and rent rate; support changes nothing', async () => {
    show(
      'support',
      [gateway(), gateway({ name: 'tw', kind: 'twilio', state: 'down', numbers: 1 })],
      [
        poolNumber({ services: ['tg', 'wa'], rentPerDay: 0.5, lastSoldAt: '2030-01-01T09:00:00.000Z' }),
        poolNumber({
          number: '+14155550101',
          gateway: 'tw',
          device: null,
          sim: null,
          state: 'cooling',
          coolingUntil: '2030-01-01T10:10:00.000Z',
        }),
      ],
    );
    const gateways = await screen.findByRole('table', { name: 'Gateways' });
    const down = within(gateways).getByRole('row', { name: /tw/ });
    expect(down.textContent).toContain('Twilio');
    expect(within(down).getByText('down: its numbers are out of stock').className).toContain('badge--failed');
    expect(within(gateways).getByRole('row', { name: /phone-1/ }).textContent).toContain('Android phone');

    const numbers = await screen.findByRole('table', { name: 'Numbers' });
    const first = within(numbers).getByRole('row', { name: /\+14155550100/ });
    expect(first.textContent).toContain('tg, wa');
    expect(first.textContent).toContain('free');
    expect(first.textContent).toContain('0.05 USD');
    expect(first.textContent).toContain('0.50 USD a day');
    expect(first.textContent).toContain('2030-01-01 09:00 UTC');
    const cooling = within(numbers).getByRole('row', { name: /\+14155550101/ });
    expect(cooling.textContent).toContain('all');
    expect(cooling.textContent).toContain('cooling until 2030-01-01 10:10 UTC');
    expect(cooling.textContent).toContain('not for rent');
    expect(screen.queryByRole('button', { name: /Remove|Rent rate|Add a number/ })).toBeNull();
    expect(screen.getByRole('link', { name: 'Numbers' }).getAttribute('aria-current')).toBe('page');
  });

  it('filters numbers by gateway and state', async () => {
    const api = show('support', [gateway(), gateway({ name: 'tw', kind: 'twilio' })], [poolNumber()]);
    api.on('GET', '/admin/pool/numbers?gateway=tw', { numbers: [] });
    api.on('GET', '/admin/pool/numbers?gateway=tw&state=rented', { numbers: [poolNumber({ gateway: 'tw', state: 'rented' })] });
    await screen.findByRole('table', { name: 'Numbers' });
    fireEvent.change(screen.getByLabelText('Gateway'), { target: { value: 'tw' } });
    expect(await screen.findByText('No number matches.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('State'), { target: { value: 'rented' } });
    const row = await screen.findByRole('row', { name: /\+14155550100/ });
    expect(row.textContent).toContain('rented');
  });

  it('adds a number with a reason, showing the refusal in the module’s words first', async () => {
    const api = show('admin', [gateway(), gateway({ name: 'tw', kind: 'twilio' })], []);
    let tries = 0;
    api.on('POST', '/admin/pool/numbers', (request: Recorded) =>
      ++tries === 1
        ? apiError(409, 'CONFLICT', '+14155550100 is already in the pool. Remove it first to move it.')
        : json(201, poolNumber({ number: (request.body as { number: string }).number })),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Add a number…' }));
    const form = screen.getByRole('form', { name: 'Add a number' });
    fireEvent.change(within(form).getByLabelText('Number'), { target: { value: '+14155550100' } });
    fireEvent.change(within(form).getByLabelText('Services'), { target: { value: 'tg,wa' } });
    // The device fields show once the gateways have been read (the form may open before they arrive).
    fireEvent.change(await within(form).findByLabelText('Device id (Android)'), { target: { value: 'dev-9' } });
    fireEvent.change(within(form).getByLabelText('SIM slot (Android)'), { target: { value: '2' } });
    fireEvent.change(within(form).getByLabelText('Cost per sale'), { target: { value: '0.05' } });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'new SIM' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add the number' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('already in the pool');
    fireEvent.click(within(form).getByRole('button', { name: 'Add the number' }));
    expect((await screen.findByRole('status')).textContent).toBe('+14155550100 is in the pool.');
    expect(api.calls('POST', '/admin/pool/numbers')[1]?.body).toEqual({
      gateway: 'phone-1',
      number: '+14155550100',
      services: 'tg,wa',
      device: 'dev-9',
      sim: '2',
      cost: '0.05',
      reason: 'new SIM',
    });
    // The list is read again after the change; that read may follow the status line.
    await waitFor(() => expect(api.calls('GET', '/admin/pool/numbers')).toHaveLength(2));
  });

  it('a Twilio gateway’s number has no device or SIM slot', async () => {
    show('admin', [gateway({ name: 'tw', kind: 'twilio' })], []);
    fireEvent.click(await screen.findByRole('button', { name: 'Add a number…' }));
    const form = screen.getByRole('form', { name: 'Add a number' });
    expect(within(form).queryByLabelText('Device id (Android)')).toBeNull();
  });

  it('sets and clears a rent rate, and removes a number, each with a reason', async () => {
    const api = show('admin', [gateway()], [poolNumber({ rentPerDay: 0.5 })]);
    const path = `/admin/pool/numbers/${encodeURIComponent('+14155550100')}`;
    api.on('POST', `${path}/rent-rate`, (request: Recorded) =>
      json(200, { number: '+14155550100', perDay: (request.body as { perDay: string | null }).perDay === null ? null : 0.75 }),
    );
    api.on('POST', `${path}/remove`, () =>
      apiError(
        409,
        'CONFLICT',
        '+14155550100 is rented by an open order; it was not removed. The order ends within 20 minutes: run this again then.',
      ),
    );

    fireEvent.click(await screen.findByRole('button', { name: 'Rent rate of +14155550100' }));
    let form = screen.getByRole('form', { name: 'Rent rate of +14155550100' });
    fireEvent.change(within(form).getByLabelText('USD a day'), { target: { value: '0.75' } });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'new price' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save the rate' }));
    expect((await screen.findByRole('status')).textContent).toBe('+14155550100 is offered for rent at 0.75 USD a day.');

    fireEvent.click(screen.getByRole('button', { name: 'Rent rate of +14155550100' }));
    form = screen.getByRole('form', { name: 'Rent rate of +14155550100' });
    fireEvent.change(within(form).getByLabelText('USD a day'), { target: { value: '' } });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'not for rent' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save the rate' }));
    // The earlier status stays on screen until the second save answers: wait for the new text.
    expect(await screen.findByText('+14155550100 is no longer offered for rent.')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('+14155550100 is no longer offered for rent.');
    expect(api.calls('POST', `${path}/rent-rate`).map((r) => r.body)).toEqual([
      { perDay: '0.75', reason: 'new price' },
      { perDay: null, reason: 'not for rent' },
    ]);

    fireEvent.click(screen.getByRole('button', { name: 'Remove +14155550100' }));
    form = screen.getByRole('form', { name: 'Take +14155550100 out of the pool' });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'SIM broken' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Remove the number' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('is rented by an open order');
  });

  it('opens the unmatched messages only on request (each read is audited), with a help line, and pages on', async () => {
    const api = show('support', [gateway()], []);
    api.on('GET', '/admin/pool/messages?limit=50', { messages: [message()], nextCursor: 'gmsg_2' });
    api.on('GET', '/admin/pool/messages?limit=50&cursor=gmsg_2', {
      messages: [message({ id: 'gmsg_1', number: null, text: 'Your code is 1234', sender: 'Bank' })],
      nextCursor: null,
    });
    expect(await screen.findByText(/third parties’ texts.*recorded in the staff audit log/)).toBeTruthy();
    expect(api.calls('GET', /^\/admin\/pool\/messages/)).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Open the unmatched messages' }));
    const table = await screen.findByRole('table', { name: 'Unmatched messages' });
    const row = within(table).getByRole('row', { name: /2030-01-01 11:00 UTC/ });
    expect(row.textContent).toContain('Hello from a stranger');
    expect(row.textContent).toContain('+447700900001');
    fireEvent.click(screen.getByRole('button', { name: 'Show older messages' }));
    expect(await within(table).findByText('Your code is 1234')).toBeTruthy();
    expect(within(table).getByText('unknown receiver')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Show older messages' })).toBeNull();
  });
});

describe('Providers page and the pool', () => {
  it('shows the pool with no balance or low-balance alert, and a link to the Numbers page', async () => {
    consoleAt('/admin/providers', 'admin', {
      '/admin/providers': {
        providers: [
          {
            id: 'prv_pool',
            name: 'pool',
            kind: 'pool',
            baseUrl: '',
            priority: 0,
            markupPercent: '0',
            feeCredits: 0,
            currency: 'USD',
            health: 'ok',
            circuitOpen: false,
            lastError: null,
            lastErrorAt: null,
            balance: null,
            balanceAt: null,
            lowBalance: 0,
            balanceLow: false,
            offers: 3,
            syncedAt: null,
            removed: false,
          },
        ],
      },
    });
    const row = await screen.findByRole('row', { name: /pool/ });
    expect(row.textContent).toContain('Your own numbers: no balance to read.');
    expect(row.textContent).not.toContain('alert below');
    expect(within(row).getByRole('link', { name: 'See the Numbers page' }).getAttribute('href')).toBe('/admin/numbers');
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
