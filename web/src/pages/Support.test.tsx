// @vitest-environment happy-dom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SupportConversation as Conversation, SupportMessage, SupportThread } from '../lib/types.ts';
import { liveStream } from '../test/fake-api.ts';
import { at, fakeApi, renderSignedIn } from '../test/render.tsx';
import { NewSupportConversation } from './NewSupportConversation.tsx';
import { Support } from './Support.tsx';
import { SupportConversation } from './SupportConversation.tsx';

const conversation = (over: Partial<Conversation> = {}): Conversation => ({
  id: 'spc_01',
  subject: 'My code never came',
  orderId: null,
  status: 'open',
  createdAt: '2030-01-02T10:00:00.000Z',
  lastActivityAt: '2030-01-02T10:00:00.000Z',
  closedAt: null,
  ...over,
});
const message = (over: Partial<SupportMessage> = {}): SupportMessage => ({
  id: 'spm_01',
  author: 'customer',
  body: 'I waited 20 minutes.',
  createdAt: '2030-01-02T10:00:00.000Z',
  ...over,
});
const thread = (over: Partial<Conversation> = {}, messages: SupportMessage[] = [message()]): SupportThread => ({
  conversation: conversation(over),
  messages,
});
const order = {
  id: 'act_01',
  phone: '+6281234567890',
  service: 'tg',
  country: 'ID',
  price: 17,
  status: 'completed',
  expiresAt: '2030-01-01T10:20:00.000Z',
  createdAt: '2030-01-01T10:00:00.000Z',
  sms: [],
};

describe('the support pages', () => {
  it('lists the conversations with their status and links each to its thread', async () => {
    at('/support');
    fakeApi().on('GET', '/support/conversations?limit=25', {
      conversations: [conversation(), conversation({ id: 'spc_02', subject: 'Billing', status: 'answered' })],
      nextCursor: null,
    });
    renderSignedIn(<Support />);
    const link = await screen.findByRole('link', { name: /Billing/ });
    expect(link.getAttribute('href')).toBe('/support/spc_02');
    expect(within(link).getByText('Answered')).toBeTruthy();
    expect(screen.getByText('Waiting for support')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Write to support' }).getAttribute('href')).toBe('/support/new');
  });

  it('writes about the order it was opened from, and refuses an empty form naming the fields', async () => {
    at('/support/new?order=act_01');
    const api = fakeApi()
      .on('GET', '/activations?limit=25', { activations: [order] })
      .on('POST', '/support/conversations', thread({ id: 'spc_09', orderId: 'act_01' }));
    renderSignedIn(<NewSupportConversation />);
    const picker = (await screen.findByLabelText('About an order (optional)')) as HTMLSelectElement;
    await waitFor(() => expect(within(picker).getByRole('option', { name: /Telegram, Indonesia/ })).toBeTruthy());
    expect(picker.value).toBe('act_01');

    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Enter a subject of at least 3 characters.')).toBeTruthy();
    expect(screen.getByText('Write your message.')).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Subject')));
    expect(api.calls('POST', '/support/conversations')).toHaveLength(0);

    fireEvent.change(screen.getByLabelText('Subject'), { target: { value: 'Refund please' } });
    fireEvent.change(screen.getByLabelText('Your message'), { target: { value: '  The code never came.  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(window.location.pathname).toBe('/support/spc_09'));
    expect(api.calls('POST', '/support/conversations')[0]?.body).toEqual({
      subject: 'Refund please',
      body: 'The code never came.',
      orderId: 'act_01',
    });
  });

  it('shows the thread, signs staff answers "Support", takes an answer live, replies and closes', async () => {
    at('/support/spc_01');
    const live = liveStream();
    let current = thread();
    const api = fakeApi()
      .on('GET', '/events', live.respond)
      .on('GET', '/support/conversations/spc_01', () => Response.json(current))
      .on('POST', '/support/conversations/spc_01/messages', (request: { body: unknown }) => {
        current = thread({ status: 'open' }, [
          ...current.messages,
          message({ id: 'spm_03', body: (request.body as { body: string }).body, createdAt: '2030-01-02T11:00:00.000Z' }),
        ]);
        return Response.json(current);
      })
      .on('POST', '/support/conversations/spc_01/close', () =>
        Response.json({ ...current, conversation: conversation({ status: 'closed' }) }),
      );
    renderSignedIn(<SupportConversation id="spc_01" />);
    expect(await screen.findByRole('heading', { level: 1, name: 'My code never came' })).toBeTruthy();
    expect(screen.getByText('I waited 20 minutes.')).toBeTruthy();

    // Support answers: the event carries ids only, the page reads the thread again.
    current = thread({ status: 'answered' }, [
      message(),
      message({ id: 'spm_02', author: 'staff', body: 'Refunded: 17 credits are back.', createdAt: '2030-01-02T10:30:00.000Z' }),
    ]);
    live.send('support.message', { conversationId: 'spc_01', messageId: 'spm_02', author: 'staff', status: 'answered' });
    const answer = await screen.findByText('Refunded: 17 credits are back.');
    expect(within(answer.closest('li') as HTMLElement).getByText('Support')).toBeTruthy();
    expect(screen.getByText('Answered')).toBeTruthy();
    expect(api.calls('GET', '/support/conversations/spc_01').length).toBeGreaterThanOrEqual(2);

    fireEvent.change(screen.getByLabelText('Your reply'), { target: { value: 'Thank you!' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send reply' }));
    // The message in the thread, not the reply box: React mirrors a textarea's value into its text.
    const sent = await screen.findByText('Thank you!', { ignore: 'script, style, textarea' });
    expect(sent.closest('li')).not.toBeNull();
    expect(api.calls('POST', '/support/conversations/spc_01/messages')[0]?.body).toEqual({ body: 'Thank you!' });
    expect((screen.getByLabelText('Your reply') as HTMLTextAreaElement).value).toBe('');

    fireEvent.click(screen.getByRole('button', { name: 'Close the conversation' }));
    await screen.findByText('This conversation is closed. Writing to it opens it again.');
    expect(screen.queryByRole('button', { name: 'Close the conversation' })).toBeNull();
  });
});
