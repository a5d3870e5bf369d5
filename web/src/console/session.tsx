import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { ApiError, api, onSignedOut } from './api.ts';

export interface Staff {
  id: string;
  email: string | null;
  role: 'customer' | 'support' | 'admin';
}

type State = { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; me: Staff };

interface Session {
  state: State;
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/** Who is signed in to the console: read from /me at start and after each sign-in; gone when the API says so. */
export function ConsoleSessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });
  const refresh = useCallback(async () => {
    try {
      const me = await api<Staff>('/me');
      setState({ status: 'signed-in', me });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setState({ status: 'signed-out' });
      else throw error;
    }
  }, []);
  const signOut = useCallback(async () => {
    await api('/auth/logout', { method: 'POST' }).catch(() => undefined);
    setState({ status: 'signed-out' });
  }, []);
  useEffect(() => {
    refresh().catch(() => setState({ status: 'signed-out' }));
    return onSignedOut(() => setState({ status: 'signed-out' }));
  }, [refresh]);
  return <SessionContext.Provider value={{ state, refresh, signOut }}>{children}</SessionContext.Provider>;
}

export function useConsoleSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useConsoleSession outside ConsoleSessionProvider');
  return session;
}

/** The signed-in staff member (pages render only once signed in). */
export function useStaff(): Staff {
  const { state } = useConsoleSession();
  if (state.status !== 'signed-in') throw new Error('useStaff before sign-in');
  return state.me;
}
