// Who is signed in. An e-mail account is known by its HttpOnly cookie (the app cannot read it: it asks
// GET /me), the anonymous account of this browser by its device token in local storage.

import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api, onSignedOut } from '../lib/api.ts';
import { deviceToken, forgetDeviceToken } from '../lib/device.ts';
import type { Balances, Profile } from '../lib/types.ts';

export type SessionState =
  | { status: 'loading' }
  | { status: 'unreachable' }
  | { status: 'signed-out'; expired: boolean }
  | { status: 'signed-in'; me: Profile };

export interface Session {
  state: SessionState;
  /** Read the account again (after signing in, accepting the policy, adding an e-mail…). */
  refresh(): Promise<void>;
  setBalance(balance: Balances): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionProvider>');
  return session;
}

/** The profile of the signed-in account; only for pages that are shown signed in. */
export function useMe(): Profile {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe while signed out');
  return state.me;
}

export function SessionProvider({ children, initial }: { children: ReactNode; initial?: SessionState }) {
  const [state, setState] = useState<SessionState>(initial ?? { status: 'loading' });

  const refresh = useCallback(async () => {
    try {
      const me = await api<Profile>('/me');
      setState({ status: 'signed-in', me });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        if (deviceToken()) forgetDeviceToken();
        setState((previous) => ({ status: 'signed-out', expired: previous.status === 'signed-in' }));
      } else {
        setState((previous) => (previous.status === 'signed-in' ? previous : { status: 'unreachable' }));
      }
    }
  }, []);

  useEffect(() => {
    if (!initial) void refresh();
  }, [refresh, initial]);

  // Any request told "sign in first": the session expired or was ended elsewhere.
  useEffect(
    () =>
      onSignedOut(() => {
        forgetDeviceToken();
        setState((previous) => (previous.status === 'signed-in' ? { status: 'signed-out', expired: true } : previous));
      }),
    [],
  );

  const setBalance = useCallback((balance: Balances) => {
    setState((previous) => (previous.status === 'signed-in' ? { status: 'signed-in', me: { ...previous.me, balance } } : previous));
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api('/auth/logout', { method: 'POST' });
    } catch {
      // Signed out locally whatever the server says: the session ends by itself after its idle time.
    }
    forgetDeviceToken();
    setState({ status: 'signed-out', expired: false });
  }, []);

  const value = useMemo(() => ({ state, refresh, setBalance, signOut }), [state, refresh, setBalance, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
