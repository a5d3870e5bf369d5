// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useLocation } from '../../../lib/router.tsx';
import { apiError, FakeApi, json, type Recorded } from '../../../test/fake-api.ts';
import { at } from '../../../test/render.tsx';
import { SupportPage } from './Support.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function Routed() {
  const { pathname } = useLocation();
  return <SupportPage rest={pathname.replace(/^\/admin\/support\/?/, '')} />;
}

const queued = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  accountId: 'acc_customer',
  subject: `About ${id}`,
  orderId: null,
  status: 'open',
  createdAt: '2030-01-01T09:00:00.000Z',
  waitingSince: '2030-01-01T09:00:00.000Z',
  lastActivityAt: '2030-01-01T09:00:00.000Z',
  ...over,
});

describe('console support', () => {
  it('shows the queue oldest-waiting first, filters by status and pages on', async () => {
    at('/admin/support');
    const api = new FakeApi()
      .on('GET', '/admin/support/conversations?status=open&limit=50', {
        conversations: [queued('spc_old', { orderId: 'act_1' }), queued('spc_new')],
        nextCursor: 'cur_2',
      })
      .on('GET', '/admin/support/conversations?status=open&limit=50&cursor=cur_2', {
        conversations: [queued('spc_newest')],
        nextCursor: null,
      })
      .on('GET', '/admin/support/conversations?status=closed&limit=50', {
        conversations: [queued('spc_done', { status: 'closed', waitingSince: null })],
        nextCursor: null,
      });
    api.install();
    render(<Routed />);
    const queue = await screen.findByRole('region', { name: 'Queue' });
    const links = within(queue).getAllByRole('link');
    expect(links.map((link) => link.getAttribute('href'))).toEqual(['/admin/support/spc_old', '/admin/support/spc_new']);
    expect(links[0]?.textContent).toContain('act_1');
    expect(links[0]?.textContent).toContain('Waiting since');
    fireEvent.click(screen.getByRole('button', { name: 'Show more' }));
    await within(queue).findByText('About spc_newest');
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();

    fireEvent.change(screen.getByLabelText('Show'), { target: { value: 'closed' } });
    await screen.findByText('About spc_done');
    expect(window.location.search).toBe('?status=closed');
    expect(screen.queryByText('About spc_old')).toBeNull();
  });

  it('opens a conversation, answers it and closes it', async () => {
    at('/admin/support/spc_1');
    let status = 'open';
    const messages: { id: string; author: string; staffAccountId: string | null; body: string; createdAt: string }[] = [
      { id: 'spm_1', author: 'customer', staffAccountId: null, body: 'My code never came.', createdAt: '2030-01-01T09:00:00.000Z' },
    ];
    const api = new FakeApi()
      .on('GET', '/admin/support/conversations/spc_1', () =>
        json(200, { conversation: queued('spc_1', { status, orderId: 'act_9' }), messages }),
      )
      .on('POST', '/admin/support/conversations/spc_1/messages', (request: Recorded) => {
        const body = (request.body as { body: string }).body;
        messages.push({ id: 'spm_2', author: 'staff', staffAccountId: 'acc_staff', body, createdAt: '2030-01-01T09:05:00.000Z' });
        status = 'answered';
        return json(201, { id: 'spm_2', conversationId: 'spc_1', status });
      })
      .on('POST', '/admin/support/conversations/spc_1/close', () => {
        status = 'closed';
        return json(200, { id: 'spc_1', status });
      });
    api.install();
    render(<Routed />);
    // The heading says "Support" while the conversation loads, then its subject.
    expect(await screen.findByRole('heading', { level: 1, name: 'About spc_1' })).toBeTruthy();
    expect(screen.getByText('My code never came.')).toBeTruthy();
    expect(screen.getByText('act_9')).toBeTruthy();
    const send = screen.getByRole('button', { name: 'Send answer' }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Answer'), { target: { value: 'We refunded it.' } });
    fireEvent.click(send);
    await screen.findByText('Answer sent.');
    expect(api.calls('POST', '/admin/support/conversations/spc_1/messages')[0]?.body).toEqual({ body: 'We refunded it.' });
    const thread = screen.getByRole('list');
    expect(within(thread).getByText('We refunded it.')).toBeTruthy();
    expect(within(thread).getByText('Support (acc_staff)')).toBeTruthy();
    expect((screen.getByLabelText('Answer') as HTMLTextAreaElement).value).toBe('');
    expect(screen.getByText('Answered')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Close conversation' }));
    await screen.findByText('Conversation closed.');
    expect(api.calls('POST', '/admin/support/conversations/spc_1/close')[0]?.body).toEqual({});
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Close conversation' })).toBeNull());
  });

  it('says when the conversation does not exist', async () => {
    at('/admin/support/spc_nope');
    new FakeApi().on('GET', '/admin/support/conversations/spc_nope', () => apiError(404, 'NOT_FOUND', 'No such conversation.')).install();
    render(<Routed />);
    expect((await screen.findByRole('alert')).textContent).toBe('No such conversation.');
  });
});
