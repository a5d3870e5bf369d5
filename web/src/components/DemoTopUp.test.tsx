// @vitest-environment happy-dom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Balance } from '../pages/Balance.tsx';
import { ConfirmOrder } from '../pages/ConfirmOrder.tsx';
import { json } from '../test/fake-api.ts';
import { at, fakeApi, me, renderSignedIn } from '../test/render.tsx';
import { DemoTopUp } from './DemoTopUp.tsx';
import { balanceText, Shell } from './Shell.tsx';

const sandbox = { sells: true, demoCredits: { cap: 2000 } };
const noDemo = { available: 0, held: 0 };

describe('demo credits in the web app', () => {
  it('are offered only while the sandbox sells, as GET /sandbox says (never probed with a POST)', async () => {
    const api = fakeApi().on('GET', '/sandbox', { sells: false, demoCredits: { cap: 0 } });
    renderSignedIn(<DemoTopUp />);
    await waitFor(() => expect(api.calls('GET', '/sandbox')).toHaveLength(1));
    expect(screen.queryByRole('button', { name: /demo credits/ })).toBeNull();
    expect(api.calls('POST', '/sandbox/credits')).toEqual([]);
  });

  it('are added apart from credits, and the top bar shows them apart', async () => {
    at('/buy');
    const api = fakeApi()
      .on('GET', '/sandbox', sandbox)
      .on('POST', '/sandbox/credits', () => json(201, { transferId: 'txn_1', available: 0, held: 0, demo: { available: 500, held: 0 } }));
    renderSignedIn(
      <Shell>
        <DemoTopUp />
      </Shell>,
      me({ balance: { available: 0, held: 0, demo: noDemo } }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Add 500 demo credits' }));
    await screen.findByRole('link', { name: '500 demo credits, your balance' });
    expect(api.calls('POST', '/sandbox/credits')[0]?.body).toEqual({ amount: 500 });
    await screen.findByText('500 demo credits added.');
  });

  it('add no more than the cap leaves room for, and say so at the cap', async () => {
    fakeApi().on('GET', '/sandbox', sandbox);
    renderSignedIn(<DemoTopUp />, me({ balance: { available: 0, held: 0, demo: { available: 1700, held: 100 } } }));
    await screen.findByRole('button', { name: 'Add 200 demo credits' });
  });

  it('at the cap: no button, a sentence instead', async () => {
    fakeApi().on('GET', '/sandbox', sandbox);
    renderSignedIn(<DemoTopUp />, me({ balance: { available: 0, held: 0, demo: { available: 2000, held: 0 } } }));
    await screen.findByText(/You hold the most demo credits an account can \(2,000\)/);
    expect(screen.queryByRole('button', { name: /demo credits/ })).toBeNull();
  });

  it('pay for a sandbox number when they cover it: no "credits missing" warning', async () => {
    at('/buy/tg/ID');
    fakeApi()
      .on('GET', '/sandbox', sandbox)
      .on('GET', '/countries?service=tg', {
        countries: [{ code: 'ID', name: 'Indonesia', dialCode: '62', flag: '🇮🇩', available: 9400, fromPrice: 17 }],
      });
    renderSignedIn(
      <ConfirmOrder service="tg" country="ID" />,
      me({ balance: { available: 0, held: 0, demo: { available: 500, held: 0 } } }),
    );
    await screen.findByText('Paid with demo credits: this is a sandbox number.');
    expect(screen.queryByText(/You need .* credits more/)).toBeNull();
  });

  it('are shown apart on the balance page, and their statement lines are marked', async () => {
    fakeApi()
      .on('GET', '/sandbox', sandbox)
      .on('GET', /\/ledger\/statement/, {
        lines: [
          {
            transferId: 'txn_1',
            at: '2030-01-01T00:00:00.000Z',
            kind: 'grant',
            purse: 'demo',
            reason: 'Demo credits added (sandbox numbers only)',
            change: { available: 500, held: 0 },
            balanceAfter: { available: 500, held: 0 },
          },
        ],
        nextCursor: null,
      });
    renderSignedIn(<Balance />, me({ balance: { available: 0, held: 0, demo: { available: 500, held: 0 } } }));
    await screen.findByText('For sandbox numbers only; voided if this service stops selling them.');
    const row = (await screen.findByText('Demo credits added (sandbox numbers only)')).closest('td');
    expect(row?.textContent).toContain('Demo');
  });

  it('top-bar wording', () => {
    expect(balanceText({ available: 1200, held: 0, demo: noDemo })).toBe('1,200 credits');
    expect(balanceText({ available: 0, held: 0, demo: { available: 500, held: 0 } })).toBe('500 demo credits');
    expect(balanceText({ available: 1200, held: 0, demo: { available: 500, held: 0 } })).toBe('1,200 credits + 500 demo');
  });
});
