import type { AppRouter } from '@modula/server';
import { createTRPCClient, httpBatchLink, httpLink, splitLink, TRPCClientError, type Operation } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/**
 * Calls that travel alone, never in a batch: a batch answers when its slowest call has, so the log's
 * rows (`events.list`) must not ride with anything, and the chain check (`integrity.*`, which
 * recomputes hashes and may take seconds) must not hold anything up.
 */
export function travelsAlone(op: Pick<Operation, 'path'>): boolean {
  return op.path === 'events.list' || op.path.startsWith('integrity.');
}

/**
 * The client of the viewer: plain JSON (the contract has no transformer); `httpBatchLink` for the
 * small calls a screen makes together, and its responses can set the session cookie (a streaming
 * link sends its headers first); `httpLink` for the calls that travel alone.
 */
export function makeTrpcClient() {
  const fetchWithCookies = (url: URL | RequestInfo, options?: RequestInit) => fetch(url, { ...options, credentials: 'include' });
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: travelsAlone,
        true: httpLink({ url: '/trpc', fetch: fetchWithCookies }),
        false: httpBatchLink({ url: '/trpc', maxURLLength: 4000, fetch: fetchWithCookies }),
      }),
    ],
  });
}

/** The tRPC error code of a failed call (`UNAUTHORIZED`, `FORBIDDEN`…), or undefined for other failures. */
export function errorCodeOf(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error as TRPCClientError<AppRouter>).data?.code : undefined;
}
