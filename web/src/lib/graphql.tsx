import { useMemo, type ReactNode } from 'react';
import { Client, Provider, cacheExchange, fetchExchange, mapExchange, type CombinedError } from 'urql';
import { useAuth } from '../auth/AuthContext';
import { requestedWithHeader } from './http';

function isUnauthenticated(error: CombinedError): boolean {
  return (
    error.response?.status === 401 ||
    error.graphQLErrors.some((graphQLError) => graphQLError.extensions['code'] === 'UNAUTHENTICATED')
  );
}

/**
 * The GraphQL client: POST /graphql with the session cookie and the CSRF
 * header (see lib/http.ts). An UNAUTHENTICATED answer means the session
 * ended, so the user is sent back to the login page.
 */
export function createGraphQLClient(onUnauthenticated: () => void): Client {
  return new Client({
    url: '/graphql',
    preferGetMethod: false,
    fetchOptions: { credentials: 'include', headers: { ...requestedWithHeader } },
    exchanges: [
      mapExchange({
        onError(error) {
          if (isUnauthenticated(error)) {
            onUnauthenticated();
          }
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
  });
}

/** Provides a GraphQL client whose cache lives as long as one user's session. */
export function GraphQLProvider({ children }: { children: ReactNode }) {
  const { user, expire } = useAuth();
  // A new client (and so an empty cache) whenever the user changes: nothing
  // one user loaded is shown to the next one in the same browser tab.
  const client = useMemo(() => createGraphQLClient(expire), [user?.id, expire]);
  return <Provider value={client}>{children}</Provider>;
}
