// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '../../test/fake-api.ts';
import { JobsPage } from './Jobs.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const run = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  status: 'succeeded',
  instanceId: 'ins_a',
  startedAt: '2030-01-01T10:00:00.000Z',
  finishedAt: '2030-01-01T10:00:01.500Z',
  durationMs: 1500,
  result: { deleted: 3 },
  error: null,
  ...over,
});

describe('console jobs', () => {
  it('lists every job with its latest runs, and failed runs stand out', async () => {
    let reads = 0;
    const api = new FakeApi().on('GET', '/admin/jobs?runs=10', () => {
      reads += 1;
      return new Response(
        JSON.stringify({
          jobs: [
            {
              name: 'retention',
              intervalMs: 3_600_000,
              runs: [run('jrn_2', { status: 'failed', error: 'connection refused', result: null, durationMs: 120 }), run('jrn_1')],
            },
            {
              name: 'stats-compaction',
              intervalMs: 600_000,
              runs: [run('jrn_3', { status: 'running', finishedAt: null, durationMs: null, result: null })],
            },
            { name: 'catalog-sync', intervalMs: 300_000, runs: [] },
          ],
        }),
        { status: 200 },
      );
    });
    api.install();
    render(<JobsPage />);

    const retention = await screen.findByRole('region', { name: 'retention' });
    expect(screen.getByText('One job failed on its last run.')).toBeTruthy();
    expect(retention.className).toContain('job--failed');
    expect(within(retention).getByText('Runs every 1 h')).toBeTruthy();
    const rows = within(within(retention).getByRole('table', { name: 'Latest runs of retention' }))
      .getAllByRole('row')
      .slice(1);
    expect(rows[0]?.className).toContain('is-alert');
    expect(within(rows[0] as HTMLElement).getByText('Failed')).toBeTruthy();
    expect(within(rows[0] as HTMLElement).getByText('connection refused')).toBeTruthy();
    expect(within(rows[0] as HTMLElement).getByText('120 ms')).toBeTruthy();
    expect(rows[1]?.className ?? '').not.toContain('is-alert');
    expect(within(rows[1] as HTMLElement).getByText('deleted: 3')).toBeTruthy();
    expect(within(rows[1] as HTMLElement).getByText('1.5 s')).toBeTruthy();

    const compaction = screen.getByRole('region', { name: 'stats-compaction' });
    expect(compaction.className).not.toContain('job--failed');
    expect(within(compaction).getByText('Running')).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'catalog-sync' })).getByText('Has not run yet.')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await vi.waitFor(() => expect(reads).toBe(2));
  });
});
