// The orders of the signed-in account, kept live by the event stream (with polling only while the
// stream is down), shared by every page that shows them. The stream's other events (payments) are
// passed on to lib/account-events.ts.

import { createContext, type ReactNode, useContext, useEffect, useMemo, useSyncExternalStore } from 'react';
import { announce } from '../components/Announcer.tsx';
import { t } from '../i18n/index.ts';
import { publishAccountEvent, publishLiveOpen } from '../lib/account-events.ts';
import { signalCodeArrived } from '../lib/alerts.ts';
import { API, api, authHeaders } from '../lib/api.ts';
import { serviceName } from '../lib/catalog-data.ts';
import { preferences } from '../lib/preferences.ts';
import { openLiveEvents } from '../lib/sse.ts';
import { isOpen } from '../lib/types.ts';
import { OrderStore, type OrdersSnapshot } from './order-store.ts';
import { useSession } from './session.tsx';

/** While the live stream is down, open orders are re-read this often. */
const FALLBACK_POLL_MS = 5_000;

const OrdersContext = createContext<OrderStore | undefined>(undefined);

export function useOrderStore(): OrderStore {
  const store = useContext(OrdersContext);
  if (!store) throw new Error('useOrderStore outside <OrdersProvider>');
  return store;
}

export function useOrders(): OrdersSnapshot {
  const store = useOrderStore();
  return useSyncExternalStore(store.subscribe, store.snapshot, store.snapshot);
}

export function OrdersProvider({ accountId, children }: { accountId: string; children: ReactNode }) {
  const { setBalance, refresh } = useSession();
  // One store per account: signing in as someone else starts from nothing.
  // biome-ignore lint/correctness/useExhaustiveDependencies: accountId is the reason to build a new store
  const store = useMemo(
    () =>
      new OrderStore({
        request: api,
        onBalance: setBalance,
        onCode: (order, sms) => {
          announce(t.orders.codeArrived(serviceName(order.service), sms.code ?? ''));
          if (preferences().alerts) signalCodeArrived();
        },
      }),
    [accountId, setBalance],
  );

  useEffect(() => {
    void store.load().catch(() => {});
    const live = openLiveEvents({
      url: `${API}/events`,
      headers: authHeaders,
      onEvent: (type, data) => {
        store.handleEvent(type, data);
        publishAccountEvent(type, data);
      },
      onOpen: () => {
        void store.load().catch(() => {});
        publishLiveOpen();
      },
      onState: (state) => store.setLive(state),
      onUnauthorized: () => void refresh(),
    });
    const wake = () => {
      if (document.visibilityState === 'visible') live.wake();
    };
    document.addEventListener('visibilitychange', wake);
    window.addEventListener('online', wake);
    return () => {
      live.close();
      document.removeEventListener('visibilitychange', wake);
      window.removeEventListener('online', wake);
    };
  }, [store, refresh]);

  // The fallback, never the primary path: poll only while the stream is not open and orders are waiting.
  useEffect(() => {
    const timer = window.setInterval(() => {
      const { live, orders } = store.snapshot();
      if (live === 'open' || !orders.some((o) => isOpen(o.status))) return;
      void store.load().catch(() => {});
      void refresh();
    }, FALLBACK_POLL_MS);
    return () => window.clearInterval(timer);
  }, [store, refresh]);

  return <OrdersContext.Provider value={store}>{children}</OrdersContext.Provider>;
}
