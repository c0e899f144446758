import { isIP } from 'node:net';
import { SYSTEM_PROVENANCE, type TProvenance } from '@modula/contracts';
import type { TIngestPrincipal } from '@modula/domain';
import type { TContext } from './context.ts';

/**
 * Who wrote an event, as its stored record keeps it (issue 12, item 8): the credential that
 * authenticated the request and the address it came from. One place spells the credentials, so
 * an Admin can list everything one of them wrote (events.list `credential`).
 */
export const apiKeyCredential = (apiKeyId: string) => `apikey:${apiKeyId}`;
export const userCredential = (userId: string) => `user:${userId}`;
export const operatorCredential = (name: string) => `operator:${name}`;
/** A read token (issue 16): what its reads wrote (READ_TOKEN_USED, an export's download). */
export const readTokenCredential = (tokenId: string) => `readtoken:${tokenId}`;

/**
 * The address of an HTTP request; null for a caller inside the process, and for anything that is
 * not an IP address — behind a trusted proxy it is the client's own X-Forwarded-For text.
 */
function addressOf(ctx: Pick<TContext, 'http'>): string | null {
  const ip = ctx.http?.ip;
  return ip && isIP(ip) ? ip : null;
}

/** Events sent to ingest: the API key that sent them, or the in-process system caller. */
export function ingestProvenance(ctx: Pick<TContext, 'http'>, principal: TIngestPrincipal): TProvenance {
  if (principal.kind === 'system') return { ...SYSTEM_PROVENANCE, sourceAddress: addressOf(ctx) };
  return { credential: apiKeyCredential(principal.apiKeyId), sourceAddress: addressOf(ctx) };
}

/** What a signed-in user's request wrote (their viewer actions). */
export function userProvenance(userId: string, sourceAddress: string | null): TProvenance {
  return { credential: userCredential(userId), sourceAddress };
}

/**
 * Sign-in events: a step that succeeded authenticated its own request (the user it signed in); a
 * refused one presented no valid credential. A request with a session is that session's user.
 */
export function signInProvenance(ctx: Pick<TContext, 'http' | 'session'>, event: { outcome: string; actor: { id?: string | undefined } }): TProvenance {
  if (ctx.session) return userProvenance(ctx.session.userId, addressOf(ctx));
  if (event.outcome === 'SUCCESS' && event.actor.id) return userProvenance(event.actor.id, addressOf(ctx));
  return { credential: 'anonymous', sourceAddress: addressOf(ctx) };
}
