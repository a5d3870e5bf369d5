// One payment as the server knows it, kept current: `payment.updated` events from the account's
// stream first; a re-read whenever the stream (re)connects (events may have been missed); and, only
// while the stream is down and the money has not arrived, a re-read every few seconds. The page never
// takes a redirect's word for the outcome: its first read asks the server to ask the processor
// (`POST …/refresh`: a card payment is read back from Stripe), so a late webhook does not leave the
// customer who just paid looking at "waiting".

import { useCallback, useEffect, useRef, useState } from 'react';
import { onAccountEvent, onLiveOpen } from '../lib/account-events.ts';
import { api } from '../lib/api.ts';
import { awaitingMoney } from '../lib/payments.ts';
import type { Payment } from '../lib/types.ts';
import { useOrders } from './orders.tsx';

/** While the live stream is down, a payment still awaiting its money is re-read this often. */
export const PAYMENT_POLL_MS = 5_000;

export interface LivePayment {
  payment: Payment | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

const isPayment = (value: unknown, id: string): value is Payment =>
  typeof value === 'object' && value !== null && (value as { id?: unknown }).id === id && typeof (value as Payment).status === 'string';

export function useLivePayment(id: string, pollMs = PAYMENT_POLL_MS): LivePayment {
  const { live } = useOrders();
  const [state, setState] = useState<{ payment: Payment | undefined; error: unknown; loading: boolean }>({
    payment: undefined,
    error: undefined,
    loading: true,
  });
  // Events seen for this payment: a read that started before the latest one may answer with an older state.
  const events = useRef(0);

  const load = useCallback(
    (signal?: AbortSignal, askProcessor = false) => {
      const seen = events.current;
      setState((s) => ({ ...s, loading: true }));
      const path = `/payments/${encodeURIComponent(id)}`;
      const read = askProcessor
        ? // The processor unreachable: what the server knows is still worth showing.
          api<Payment>(`${path}/refresh`, { method: 'POST', signal }).catch((error: unknown) => {
            if (signal?.aborted) throw error;
            return api<Payment>(path, { signal });
          })
        : api<Payment>(path, { signal });
      read.then(
        (payment) => {
          if (signal?.aborted) return;
          setState((s) => (events.current === seen ? { payment, error: undefined, loading: false } : { ...s, loading: false }));
        },
        (error: unknown) => {
          if (signal?.aborted) return;
          setState((s) => ({ ...s, error, loading: false }));
        },
      );
    },
    [id],
  );

  useEffect(() => {
    const controller = new AbortController();
    events.current = 0;
    setState({ payment: undefined, error: undefined, loading: true });
    load(controller.signal, true);
    const stopEvents = onAccountEvent((type, data) => {
      if (type !== 'payment.updated' || !isPayment(data, id)) return;
      events.current += 1;
      setState({ payment: data, error: undefined, loading: false });
    });
    const stopOpen = onLiveOpen(() => load(controller.signal));
    return () => {
      controller.abort();
      stopEvents();
      stopOpen();
    };
  }, [id, load]);

  const waiting = state.payment !== undefined && awaitingMoney(state.payment.status);
  useEffect(() => {
    if (live === 'open' || !waiting) return;
    const controller = new AbortController();
    const timer = window.setInterval(() => load(controller.signal), pollMs);
    return () => {
      window.clearInterval(timer);
      controller.abort();
    };
  }, [live, waiting, load, pollMs]);

  return { ...state, reload: useCallback(() => load(), [load]) };
}
