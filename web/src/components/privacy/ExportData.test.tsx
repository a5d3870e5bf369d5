// @vitest-environment happy-dom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { apiError } from '../../test/fake-api.ts';
import { fakeApi, renderSignedIn } from '../../test/render.tsx';
import { ExportData, exportFilename } from './ExportData.tsx';

const exportFile = '{"format":"otpbox-export/1","sections":{}}';
const exported = () =>
  new Response(exportFile, {
    status: 200,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': 'attachment; filename="otpbox-export-2030-01-02.json"',
    },
  });

/** The browser's object URLs, watched: what was made into a file, and that it is let go. */
function watchObjectUrls() {
  const made: Blob[] = [];
  const revoked: string[] = [];
  vi.stubGlobal(
    'URL',
    Object.assign(class extends URL {}, {
      createObjectURL: (blob: Blob) => {
        made.push(blob);
        return `blob:http://app.test/${made.length}`;
      },
      revokeObjectURL: (url: string) => {
        revoked.push(url);
      },
    }),
  );
  return { made, revoked };
}

describe('Download my data', () => {
  it('fetches the export and saves it under the name the server gives, with a link to save it again', async () => {
    const urls = watchObjectUrls();
    const api = fakeApi().on('GET', '/privacy/export', exported);
    const clicks: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(this.download);
    });
    const view = renderSignedIn(<ExportData />);
    expect(screen.getByRole('heading', { level: 2, name: 'Download my data' })).toBeDefined();
    fireEvent.click(screen.getByRole('button', { name: 'Download my data' }));
    const link = await screen.findByRole('link', { name: 'Save otpbox-export-2030-01-02.json again' });
    expect(link.getAttribute('download')).toBe('otpbox-export-2030-01-02.json');
    expect(link.getAttribute('href')).toBe('blob:http://app.test/1');
    // The save and the focus happen in an effect after the link renders: wait for it, however busy the machine.
    await waitFor(() => expect(clicks).toEqual(['otpbox-export-2030-01-02.json']));
    await waitFor(() => expect(document.activeElement).toBe(link));
    expect(await urls.made[0]?.text()).toBe(exportFile);
    expect(api.calls('GET', '/privacy/export')).toHaveLength(1);
    view.unmount();
    expect(urls.revoked).toEqual(['blob:http://app.test/1']);
    click.mockRestore();
  });

  it('says why it failed, in the server’s words, and lets the customer try again', async () => {
    watchObjectUrls();
    const api = fakeApi().on('GET', '/privacy/export', () =>
      apiError(429, 'RATE_LIMITED', 'At most 5 copies of your data an hour; try again later.'),
    );
    renderSignedIn(<ExportData />);
    fireEvent.click(screen.getByRole('button', { name: 'Download my data' }));
    await screen.findByText('At most 5 copies of your data an hour; try again later.');
    expect(screen.queryByRole('link', { name: /Save .* again/ })).toBeNull();
    api.on('GET', '/privacy/export', exported);
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    fireEvent.click(screen.getByRole('button', { name: /try again/i }));
    await screen.findByRole('link', { name: 'Save otpbox-export-2030-01-02.json again' });
  });

  it('shows that it is working while the file comes', async () => {
    watchObjectUrls();
    let answer: (response: Response) => void = () => {};
    fakeApi().on(
      'GET',
      '/privacy/export',
      () =>
        new Promise<Response>((resolve) => {
          answer = resolve;
        }),
    );
    renderSignedIn(<ExportData />);
    fireEvent.click(screen.getByRole('button', { name: 'Download my data' }));
    const busy = await screen.findByRole('button', { name: 'Preparing your file…' });
    expect((busy as HTMLButtonElement).disabled).toBe(true);
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    answer(exported());
    await waitFor(() => expect(screen.getByRole('button', { name: 'Download my data' })).toBeDefined());
  });

  it('names the file like the server does when the header is missing', () => {
    expect(exportFilename('attachment; filename="otpbox-export-2030-01-02.json"')).toBe('otpbox-export-2030-01-02.json');
    expect(exportFilename(null)).toMatch(/^otpbox-export-\d{4}-\d\d-\d\d\.json$/);
  });
});
