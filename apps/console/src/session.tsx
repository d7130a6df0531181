import { MutationCache, QueryCache, QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { api, isUnauthorized, type Outputs } from './api';

export type Me = NonNullable<Outputs['auth']['me']>;
export type Role = Me['role'];

export const ME_KEY = ['console', 'me'] as const;

/** Set when a signed-in session stopped working (expired/revoked): the sign-in form says so. */
let sessionExpired = false;
export function takeSessionExpired(): boolean {
  const was = sessionExpired;
  sessionExpired = false;
  return was;
}

const isMeKey = (key: readonly unknown[]) => key[0] === ME_KEY[0] && key[1] === ME_KEY[1];

/**
 * Switches the session (sign-in, sign-out, expiry): everything cached for the previous user
 * goes, and the `me` query — observed by <App> — gets the new user (or null) in place.
 * (Not `client.clear()`: that would detach <App>'s observer from the `me` query.)
 */
export function setSession(client: QueryClient, me: Me | null): void {
  client.removeQueries({ predicate: (q) => !isMeKey(q.queryKey) });
  client.setQueryData(ME_KEY, me);
}

/**
 * Any 401 on any call means the session is over: forget everything cached (another user may
 * sign in next) and fall back to the sign-in form.
 */
export function createQueryClient(): QueryClient {
  const onError = (error: unknown) => {
    if (!isUnauthorized(error)) return;
    if (client.getQueryData(ME_KEY)) sessionExpired = true;
    setSession(client, null);
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        // 4xx answers don't get better by asking again.
        retry: (count, error) => {
          const status = (error as { data?: { httpStatus?: number } }).data?.httpStatus;
          return (status === undefined || status >= 500) && count < 2;
        },
        refetchOnWindowFocus: false,
        staleTime: 5_000,
      },
    },
  });
  return client;
}

/** The signed-in user, or null (no session). A 401 from `me` is "not signed in", not an error. */
export function useMeQuery() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: async (): Promise<Me | null> => {
      try {
        return (await api.console.auth.me.query()) ?? null;
      } catch (error) {
        if (isUnauthorized(error)) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

const SessionContext = createContext<Me | null>(null);

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <SessionContext.Provider value={me}>{children}</SessionContext.Provider>;
}

export function useMe(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useMe outside a signed-in session');
  return me;
}

/** support and admin may issue refunds and replay webhooks (spec/operations.md "Console"). */
export function canOperate(role: Role): boolean {
  return role === 'admin' || role === 'support';
}

export function isAdmin(role: Role): boolean {
  return role === 'admin';
}

export function useSignOut() {
  const client = useQueryClient();
  return async () => {
    try {
      await api.console.auth.logout.mutate();
    } finally {
      setSession(client, null);
    }
  };
}
