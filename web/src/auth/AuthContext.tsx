import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { fetchMe, logout, type User } from './api';

export type AuthState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; user: User }
  | { status: 'unreachable'; error: Error };

export interface Auth {
  state: AuthState;
  /** The signed-in user, if any. */
  user: User | undefined;
  /** Records the user that /auth/login (or /auth/set-password) answered. */
  signIn: (user: User) => void;
  /** Ends the session on the server, then forgets the user. */
  signOut: () => Promise<void>;
  /** Forgets the user after the server refused the session (expired cookie). */
  expire: () => void;
  /** Asks /auth/me again. */
  reload: () => void;
  /** Asks /auth/me again in the background, keeping the page (after enrolling a second factor). */
  refresh: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    fetchMe().then(
      (user) => {
        if (current) {
          setState(user ? { status: 'signed-in', user } : { status: 'signed-out' });
        }
      },
      (error: unknown) => {
        if (current) {
          setState({ status: 'unreachable', error: error instanceof Error ? error : new Error(String(error)) });
        }
      },
    );
    return () => {
      current = false;
    };
  }, [attempt]);

  const signIn = useCallback((user: User) => {
    setState({ status: 'signed-in', user });
  }, []);

  const expire = useCallback(() => {
    setState({ status: 'signed-out' });
  }, []);

  const signOut = useCallback(async () => {
    try {
      await logout();
    } finally {
      setState({ status: 'signed-out' });
    }
  }, []);

  const refresh = useCallback(async () => {
    const user = await fetchMe();
    setState(user ? { status: 'signed-in', user } : { status: 'signed-out' });
  }, []);

  const reload = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo<Auth>(
    () => ({
      state,
      user: state.status === 'signed-in' ? state.user : undefined,
      signIn,
      signOut,
      expire,
      reload,
      refresh,
    }),
    [state, signIn, signOut, expire, reload, refresh],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) {
    throw new Error('useAuth must be used inside <AuthProvider>');
  }
  return auth;
}
