// For the console's component tests: the console at a path, signed in as a staff member, over a fake API.
import { render } from '@testing-library/react';
import { FakeApi } from '../test/fake-api.ts';
import { at } from '../test/render.tsx';
import { ConsoleApp } from './ConsoleApp.tsx';
import './pages/index.tsx';
import { ConsoleSessionProvider } from './session.tsx';

/** Render the console at `path` for `role` (acc_staff, or `id`); `reads` answer the GETs the page makes. Returns the fake API. */
export function consoleAt(path: string, role: 'admin' | 'support', reads: Record<string, unknown>, id = 'acc_staff'): FakeApi {
  at(path);
  const api = new FakeApi().on('GET', '/me', { id, email: 'staff@example.com', role });
  for (const [route, answer] of Object.entries(reads)) api.on('GET', route, answer);
  api.install();
  render(
    <ConsoleSessionProvider>
      <ConsoleApp />
    </ConsoleSessionProvider>,
  );
  return api;
}
