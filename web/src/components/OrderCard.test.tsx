// @vitest-environment happy-dom
import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en.ts';
import type { Activation } from '../lib/types.ts';
import { Orders } from '../pages/Orders.tsx';
import { apiError, json } from '../test/fake-api.ts';
import { at, fakeApi, renderSignedIn } from '../test/render.tsx';

/** The orders page, with these orders open on the server. */
function showOrders(...orders: Activation[]) {
  at('/orders');
  const api = fakeApi().on('GET', '/activations?status=waiting,received&limit=100', { activations: orders });
  const view = renderSignedIn(<Orders />);
  return { api, view };
}

const seconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

const order = (over: Partial<Activation> = {}): Activation => ({
  id: 'act_01',
  phone: '+6281200000001',
  service: 'tg',
  country: 'ID',
  price: 17,
  status: 'waiting',
  expiresAt: seconds(1195),
  createdAt: seconds(-5),
  cancellableAt: seconds(115),
  receivedAt: null,
  endedAt: null,
  sandbox: true,
  sms: [],
  ...over,
});

describe('an order on screen', () => {
  it('explains in words why Cancel is not possible yet, and counts down to when it is', async () => {
    showOrders(order());
    const cancel = await screen.findByRole('button', { name: /^Cancel \(in 1:5\d\)$/ });
    expect((cancel as HTMLButtonElement).disabled).toBe(true);
    const hint = document.getElementById(cancel.getAttribute('aria-describedby') ?? '');
    expect(hint?.textContent).toBe(
      'A number must be kept for 2 minutes before it can be cancelled, because providers refuse earlier cancellations. If no code comes, your credits come back by themselves when the number expires.',
    );
    expect(screen.getByText('Waiting for the SMS…')).toBeTruthy();
    expect(screen.getByText(/^19:5\d$/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Finish' })).toBeNull();
  });

  it('links to support about this very order', async () => {
    showOrders(order({ id: 'act_77' }));
    const link = await screen.findByRole('link', { name: 'Ask support about this order' });
    expect(link.getAttribute('href')).toBe('/support/new?order=act_77');
  });

  it('cancels once the window has passed, and says the credits came back', async () => {
    const { api } = showOrders(order({ cancellableAt: seconds(-1) }));
    api.on('POST', '/activations/act_01/cancel', () => json(200, order({ status: 'cancelled', cancellableAt: seconds(-1) })));
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(await screen.findByText('Cancelled. Your credits were returned.')).toBeTruthy();
    expect(api.calls('POST', '/activations/act_01/cancel')).toHaveLength(1);
  });

  it('shows the server’s words when it refuses', async () => {
    const { api } = showOrders(order({ cancellableAt: seconds(-1) }));
    api.on('POST', '/activations/act_01/cancel', () =>
      apiError(409, 'EARLY_CANCEL', 'You can cancel in 3 s: a number must be kept for 120 s before it can be cancelled.', {
        secondsLeft: 3,
      }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect((await screen.findByRole('alert')).textContent).toContain('You can cancel in 3 s');
  });

  it('an SMS withheld after an unpaid end shows that it came and no code', async () => {
    const sms = { id: 'sms_1', code: null, text: null, receivedAt: seconds(0), late: true, withheld: true };
    showOrders(order({ status: 'cancelled', sms: [sms] }));
    expect(await screen.findByText(/Its code is not shown, because your credits were returned/)).toBeTruthy();
    expect(screen.queryByTestId('code')).toBeNull();
    expect(screen.queryByText(en.orders.noCodeInText)).toBeNull();
  });

  it('shows the code large with its own copy button, then Finish and Another code', async () => {
    const sms = { id: 'sms_1', code: '48213', text: 'Telegram code: 48213', receivedAt: seconds(0), late: false, withheld: false };
    const { api } = showOrders(order({ status: 'received', sms: [sms] }));
    api
      .on('POST', '/activations/act_01/finish', () => json(200, order({ status: 'completed', sms: [sms] })))
      .on('POST', '/activations/act_01/retry', () => json(200, order({ status: 'received', sms: [sms] })));

    expect((await screen.findByTestId('code')).textContent).toBe('48213');
    expect(await screen.findByRole('button', { name: 'Copy without +62' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy code' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy number' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Cancel/ })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Another code' }));
    expect(await screen.findByText('Another code was requested. It appears here when it arrives.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Finish' }));
    expect(await screen.findByText('Finished. You paid 17 credits.')).toBeTruthy();
    expect(api.calls('POST', /\/activations\/act_01\/(finish|retry)/).map((r) => r.path)).toEqual([
      '/activations/act_01/retry',
      '/activations/act_01/finish',
    ]);
  });

  it('offers the sandbox SMS only on sandbox numbers, clearly labelled', async () => {
    const { api, view } = showOrders(order());
    api.on('POST', '/sandbox/sms', () => json(202, { outcome: 'charged' }));
    const simulate = (await screen.findByText('Simulate an SMS (sandbox)')).closest('details') as HTMLElement;
    fireEvent.change(within(simulate).getByLabelText('Text of the SMS'), { target: { value: 'Telegram code: 55555' } });
    fireEvent.click(within(simulate).getByRole('button', { name: 'Deliver this SMS' }));
    expect(await screen.findByText('Delivered to the sandbox number.')).toBeTruthy();
    expect(api.calls('POST', '/sandbox/sms')[0]?.body).toEqual({ activationId: 'act_01', text: 'Telegram code: 55555' });
    view.unmount();

    showOrders(order({ sandbox: false }));
    await screen.findByRole('button', { name: /^Cancel/ });
    expect(screen.queryByText('Simulate an SMS (sandbox)')).toBeNull();
  });
});
