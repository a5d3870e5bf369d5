// @vitest-environment happy-dom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiError, json } from '../test/fake-api.ts';
import { labelsNotStartingWithVisibleText } from '../test/label-in-name.ts';
import { at, fakeApi, renderSignedIn } from '../test/render.tsx';
import { Developers } from './Developers.tsx';

const endpoint = {
  id: 'whe_1',
  url: 'https://hooks.example.com/otpbox',
  description: null,
  events: ['*'],
  status: 'enabled',
  disabledReason: null,
  disabledAt: null,
  consecutiveFailures: 0,
  failingSince: null,
  lastSuccessAt: null,
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
};

describe('webhook endpoints', () => {
  it('adds an endpoint for every event unless some are chosen, and shows its secret once', async () => {
    at('/developers');
    let listed: unknown[] = [];
    const api = fakeApi()
      .on('GET', '/api-keys', { apiKeys: [] })
      .on('GET', '/webhook-endpoints', () => json(200, { endpoints: listed }))
      .on('POST', '/webhook-endpoints', () => {
        listed = [endpoint];
        return json(201, { ...endpoint, secret: 'whsec_shown_once' });
      });
    renderSignedIn(<Developers />);

    const section = (await screen.findByRole('heading', { name: 'Webhook endpoints' })).closest('section') as HTMLElement;
    await within(section).findByText('No webhook endpoints.');
    fireEvent.click(within(section).getByRole('button', { name: 'Add endpoint' }));
    expect(within(section).getByText('Enter the https:// address that should receive the events.')).toBeTruthy();
    expect(api.calls('POST', '/webhook-endpoints')).toHaveLength(0);

    fireEvent.change(within(section).getByLabelText('Endpoint URL'), { target: { value: 'https://hooks.example.com/otpbox' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Add endpoint' }));
    expect(await within(section).findByText('whsec_shown_once')).toBeTruthy();
    expect(api.calls('POST', '/webhook-endpoints')[0]?.body).toEqual({ url: 'https://hooks.example.com/otpbox' });
    await within(section).findByText(/^all events · added/);

    fireEvent.change(within(section).getByLabelText('Endpoint URL'), { target: { value: 'https://two.example.com/' } });
    fireEvent.click(within(section).getByLabelText(/sms\.received/));
    fireEvent.click(within(section).getByRole('button', { name: 'Add endpoint' }));
    await waitFor(() => expect(api.calls('POST', '/webhook-endpoints')).toHaveLength(2));
    expect(api.calls('POST', '/webhook-endpoints')[1]?.body).toEqual({ url: 'https://two.example.com/', events: ['sms.received'] });
  });

  it('says why a URL is refused, and removes an endpoint only after confirmation', async () => {
    at('/developers');
    const api = fakeApi()
      .on('GET', '/api-keys', { apiKeys: [] })
      .on('GET', '/webhook-endpoints', { endpoints: [endpoint] })
      .on('POST', '/webhook-endpoints', () =>
        apiError(422, 'WEBHOOK_URL_REFUSED', 'This webhook URL is refused: 10.0.0.1 is not a public internet address.'),
      )
      .on('DELETE', '/webhook-endpoints/whe_1', () => new Response(null, { status: 204 }));
    renderSignedIn(<Developers />);

    const section = (await screen.findByRole('heading', { name: 'Webhook endpoints' })).closest('section') as HTMLElement;
    fireEvent.change(await within(section).findByLabelText('Endpoint URL'), { target: { value: 'https://10.0.0.1/hook' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Add endpoint' }));
    expect((await within(section).findByRole('alert')).textContent).toContain('10.0.0.1 is not a public internet address');

    fireEvent.click(await within(section).findByRole('button', { name: 'Remove https://hooks.example.com/otpbox' }));
    expect(api.calls('DELETE', '/webhook-endpoints/whe_1')).toHaveLength(0);
    expect(within(section).getByText('Remove https://hooks.example.com/otpbox and its delivery log? Events stop at once.')).toBeTruthy();
    fireEvent.click(within(section).getByRole('button', { name: 'Remove https://hooks.example.com/otpbox' }));
    await waitFor(() => expect(api.calls('DELETE', '/webhook-endpoints/whe_1')).toHaveLength(1));
  });

  it('names every button by its visible text first, so speech input can reach it (WCAG 2.5.3)', async () => {
    at('/developers');
    fakeApi()
      .on('GET', '/api-keys', {
        apiKeys: [{ id: 'key_1', name: 'CI', displayPrefix: 'otp_live_ab', createdAt: endpoint.createdAt, lastUsedAt: null }],
      })
      .on('GET', '/webhook-endpoints', { endpoints: [{ ...endpoint, status: 'disabled', disabledReason: 'failing for 3 days' }] });
    const { container } = renderSignedIn(<Developers />);

    await screen.findByText('https://hooks.example.com/otpbox');
    expect(screen.getByRole('button', { name: 'New secret for https://hooks.example.com/otpbox' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Enable again: https://hooks.example.com/otpbox' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Revoke CI' })).toBeTruthy();
    expect(labelsNotStartingWithVisibleText(container)).toEqual([]);
  });
});
