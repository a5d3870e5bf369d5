// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, json } from '../../test/fake-api.ts';
import { consoleAt } from '../test-console.tsx';
import type { QueuedRequest, RetentionPreview, RetentionRun } from './Privacy.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const request = (over: Partial<QueuedRequest> = {}): QueuedRequest => ({
  id: 'prq_1',
  accountId: 'acc_c1',
  type: 'access',
  details: null,
  status: 'open',
  filedAt: '2030-01-01T00:00:00.000Z',
  dueAt: '2030-01-31T00:00:00.000Z',
  daysLeft: 12,
  overdue: false,
  handledBy: null,
  processingRestricted: false,
  ...over,
});

const run: RetentionRun = {
  id: 'retention@1',
  status: 'succeeded',
  instanceId: 'ins_1',
  startedAt: '2030-01-02T03:00:00.000Z',
  finishedAt: '2030-01-02T03:00:01.500Z',
  durationMs: 1500,
  result: { purged: { sessions: 3, job_runs: 2 }, cleared: { 'security_events(ip_prefix)': 4 } },
  error: null,
};

const preview: RetentionPreview = {
  at: '2030-01-02T04:00:00.000Z',
  targets: [
    {
      table: 'security_events',
      action: 'delete',
      columns: [],
      after: 'occurred_at',
      cutoff: '2029-01-02T04:00:00.000Z',
      days: 365,
      setting: 'RETENTION_SECURITY_EVENTS_DAYS',
      rows: 7,
      dependents: [],
    },
  ],
  purged: { security_events: 7 },
  cleared: {},
};

const show = (requests: QueuedRequest[]) =>
  consoleAt('/admin/privacy', 'support', {
    '/admin/privacy/requests': { requests },
    '/admin/privacy/retention': { name: 'retention', intervalMs: 3_600_000, runs: [run] },
    '/admin/privacy/retention/preview': preview,
  });

describe('Privacy page', () => {
  it('shows the queue by deadline with days left, the overdue ones marked, and starts a request with a reason', async () => {
    const api = show([request({ id: 'prq_late', type: 'erasure', daysLeft: -3, overdue: true }), request()]);
    api.on('POST', '/admin/privacy/requests/prq_1', () => json(200, {}));
    const table = await screen.findByRole('table', { name: 'Rights requests' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0]?.textContent).toContain('Erasure');
    expect(rows[0]?.className).toBe('overdue');
    expect(rows[0]?.textContent).toContain('Overdue by 3 days');
    expect(rows[1]?.textContent).toContain('12 days left');
    fireEvent.click(screen.getByRole('button', { name: 'Start prq_1' }));
    const form = screen.getByRole('form', { name: 'Start prq_1' });
    const reason = within(form).getByLabelText('Reason');
    expect(reason.hasAttribute('required')).toBe(true);
    fireEvent.change(reason, { target: { value: 'identity checked' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Start the request' }));
    expect((await screen.findByRole('status')).textContent).toBe('prq_1 is in progress.');
    expect(api.calls('POST', '/admin/privacy/requests/prq_1')[0]?.body).toEqual({ status: 'in_progress', reason: 'identity checked' });
  });

  it('completes with a note and refuses with a reason; a refusal from the server is shown', async () => {
    const api = show([request({ status: 'in_progress', handledBy: 'staff@example.com' })]);
    let calls = 0;
    api.on('POST', '/admin/privacy/requests/prq_1', () => (++calls === 1 ? apiError(409, 'CONFLICT', 'Already resolved.') : json(200, {})));
    fireEvent.click(await screen.findByRole('button', { name: 'Refuse prq_1' }));
    const refuse = screen.getByRole('form', { name: 'Refuse prq_1' });
    fireEvent.change(within(refuse).getByLabelText('Reason'), { target: { value: 'manifestly unfounded' } });
    fireEvent.click(within(refuse).getByRole('button', { name: 'Refuse the request' }));
    expect((await within(refuse).findByRole('alert')).textContent).toBe('Already resolved.');
    fireEvent.click(screen.getByRole('button', { name: 'Complete prq_1' }));
    const complete = screen.getByRole('form', { name: 'Complete prq_1' });
    fireEvent.change(within(complete).getByLabelText('Note to the customer'), { target: { value: 'Export sent by e-mail.' } });
    fireEvent.click(within(complete).getByRole('button', { name: 'Complete the request' }));
    expect((await screen.findByRole('status')).textContent).toContain('prq_1 completed');
    expect(api.calls('POST', '/admin/privacy/requests/prq_1').map((call) => call.body)).toEqual([
      { status: 'refused', note: 'manifestly unfounded' },
      { status: 'completed', note: 'Export sent by e-mail.' },
    ]);
  });

  it('lifts a restriction by request id with a reason', async () => {
    const api = show([]);
    api.on('POST', '/admin/privacy/requests/prq_r/lift', () => new Response(null, { status: 204 }));
    expect(await screen.findByText('No request is waiting.')).toBeTruthy();
    const form = screen.getByRole('form', { name: 'Lift a processing restriction' });
    fireEvent.change(within(form).getByLabelText('Request id'), { target: { value: ' prq_r ' } });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'customer asked' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Lift the restriction' }));
    expect((await screen.findByRole('status')).textContent).toBe('The restriction from prq_r is lifted.');
    expect(api.calls('POST', '/admin/privacy/requests/prq_r/lift')[0]?.body).toEqual({ reason: 'customer asked' });
  });

  it('lists the retention runs with their counts and shows a dry run', async () => {
    show([]);
    const runs = await screen.findByRole('table', { name: 'Latest retention runs' });
    const row = within(runs).getAllByRole('row')[1];
    expect(row?.textContent).toContain('succeeded');
    expect(row?.textContent).toContain('(1.5 s)');
    expect(row?.textContent).toContain('sessions: 3, job_runs: 2, security_events(ip_prefix): 4');
    fireEvent.click(screen.getByRole('button', { name: 'Dry run: what would the next run delete?' }));
    const planned = await screen.findByRole('table', { name: 'What the next retention run would do' });
    expect(within(planned).getByRole('row', { name: /security_events/ }).textContent).toContain(
      '365 days after occurred_at (RETENTION_SECURITY_EVENTS_DAYS)',
    );
    expect(screen.getByText(/would delete 7 row\(s\)/)).toBeTruthy();
  });
});
