import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '@modula/server';

/** The typed tRPC client of the Modula Audit service (plain JSON over HTTP, no transformer). */
export type AuditClient = TRPCClient<AppRouter>;

export interface TAuditClientOptions {
  /** The service's origin, e.g. `https://audit.example.com` (the API is under `/trpc`). */
  url: string;
  /** The tenant's API key, sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** A fetch of your own (proxies, tests); default: the global fetch. */
  fetch?: typeof fetch;
}

/**
 * A typed client for every procedure of the service: `client.ingest.batch.mutate({ events })`,
 * `client.ingest.status.query({ eventIds })`, `client.time.now.query()`. One HTTP request per call
 * (`httpLink`), so a request body is exactly `JSON.stringify(input)` and its size is known.
 */
export function createAuditClient(opts: TAuditClientOptions): AuditClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${opts.url.replace(/\/+$/, '')}/trpc`,
        headers: { authorization: `Bearer ${opts.apiKey}` },
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
      }),
    ],
  });
}
