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
  /**
   * Send the API key over plain `http://` to another host than this machine (a shop LAN without
   * TLS, on purpose). Default false: such a `url` is refused, since anyone on the network would
   * read the key (ASVS V9.1.1). `https://` and `http://` to localhost / 127.0.0.0/8 / [::1] need nothing.
   */
  allowInsecureHttp?: boolean;
}

/** This machine: the only place the key may be sent without TLS unless the app says otherwise. */
function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The service's base URL, refused when it would carry the key in clear to another host. */
function serviceUrl(url: string, allowInsecureHttp: boolean): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`the audit service URL must be https:// (got ${parsed.protocol})`);
  if (parsed.protocol === 'http:' && !allowInsecureHttp && !isLoopback(parsed.hostname)) {
    throw new Error(
      `refusing to send the API key in clear to ${parsed.host}: use https://, or pass allowInsecureHttp: true for a network you trust (only this machine is taken over http by default)`,
    );
  }
  return `${url.replace(/\/+$/, '')}/trpc`;
}

/**
 * A typed client for every procedure of the service: `client.ingest.batch.mutate({ events })`,
 * `client.ingest.status.query({ eventIds })`, `client.time.now.query()`. One HTTP request per call
 * (`httpLink`), so a request body is exactly `JSON.stringify(input)` and its size is known. Throws
 * at once for an `http://` URL of another host (see `allowInsecureHttp`).
 */
export function createAuditClient(opts: TAuditClientOptions): AuditClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: serviceUrl(opts.url, opts.allowInsecureHttp ?? false),
        headers: { authorization: `Bearer ${opts.apiKey}` },
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
      }),
    ],
  });
}
