import type { AppRouter } from '@modula/server';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/**
 * The client of the viewer: plain JSON (the contract has no transformer) and `httpBatchLink`,
 * whose responses can set the session cookie (a streaming link sends its headers first).
 */
export function makeTrpcClient() {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: '/trpc',
        maxURLLength: 4000,
        fetch: (url, options) => fetch(url, { ...options, credentials: 'include' }),
      }),
    ],
  });
}

/** The tRPC error code of a failed call (`UNAUTHORIZED`, `FORBIDDEN`…), or undefined for other failures. */
export function errorCodeOf(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error as TRPCClientError<AppRouter>).data?.code : undefined;
}
