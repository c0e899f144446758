import { QueryCache, QueryClient } from '@tanstack/react-query';
import { announceSessionEnded } from './session-ended.ts';
import { errorCodeOf } from './trpc.ts';

/** Answers that retrying will not change. */
const FINAL_CODES = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND', 'TOO_MANY_REQUESTS']);

/** tRPC keys a query by its path first: `[['auth', 'me'], {...}]`. */
function isMeQuery(queryKey: readonly unknown[]): boolean {
  const path = queryKey[0];
  return Array.isArray(path) && path[0] === 'auth' && path[1] === 'me';
}

/**
 * A session that ends while the log is open (expired, revoked) makes a read answer UNAUTHORIZED;
 * `auth.me` is then asked again, and its own UNAUTHORIZED sends the viewer to the sign-in screen. If
 * `auth.me` had answered before (the tab had a session), the other tabs are told the session ended.
 */
export function makeQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (errorCodeOf(error) !== 'UNAUTHORIZED') return;
        if (!isMeQuery(query.queryKey)) void client.invalidateQueries({ predicate: (q) => isMeQuery(q.queryKey) });
        else if (query.state.data !== undefined) announceSessionEnded();
      },
    }),
    defaultOptions: {
      queries: {
        retry: (failures, error) => !FINAL_CODES.has(errorCodeOf(error) ?? '') && failures < 2,
        staleTime: 30_000,
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
  return client;
}
