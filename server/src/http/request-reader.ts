import { authenticateReadToken, findSession, isReadTokenText } from '@modula/domain';
import type { FastifyRequest } from 'fastify';
import { recordAccessDenied } from '../administration.ts';
import { authSettingsOf, sessionCookieName } from '../auth-settings.ts';
import type { TServices } from '../context.ts';
import type { TReader } from '../read-access.ts';

/** Why a plain HTTP read route refuses a request: the answer's status, code and message. */
export interface TReaderRefusal {
  status: 401 | 403 | 503;
  code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'SERVICE_UNAVAILABLE';
  message: string;
}

/**
 * The reader of an HTTP route outside tRPC (export downloads, the NDJSON pull), by the same rules as
 * readerProcedure: an Admin's session cookie, else `Authorization: Bearer <read token>`. An ingest
 * API key, a revoked or expired token, or nothing at all is 401; a session of another role is 403,
 * recorded in the tenant's log as readerProcedure records it (the route, `GET /exports/:exportId/file`,
 * as its procedure), or 503 when that record cannot be made.
 */
export async function readerOfRequest(services: TServices, req: FastifyRequest): Promise<TReader | TReaderRefusal> {
  const cookie = req.cookies[sessionCookieName(services.config)];
  const session = cookie ? await findSession(services.orm, authSettingsOf(services.config), cookie) : undefined;
  if (session) {
    if (session.role === 'ADMIN') return { kind: 'session', session };
    try {
      await recordAccessDenied(services, session, `${req.method} ${req.routeOptions.url}`, req.ip);
    } catch {
      return { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'the refusal could not be recorded in the audit log; try again' };
    }
    return { status: 403, code: 'FORBIDDEN', message: 'only an Admin of the tenant may read its audit log' };
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const token = bearer && isReadTokenText(bearer) ? await authenticateReadToken(services.orm, bearer) : undefined;
  if (token) return { kind: 'token', token };
  return { status: 401, code: 'UNAUTHORIZED', message: 'sign in first, or send Authorization: Bearer <read token>' };
}

export const isRefusal = (r: TReader | TReaderRefusal): r is TReaderRefusal => 'status' in r;

/**
 * Whether `now` (the request's reader read again) is still the reader a long response began with:
 * the same session or the same token. Not just any valid credential on the request: a pull begun
 * with a session cookie must stop when that session ends, whatever read token the request also carries.
 */
export function sameReader(first: TReader, now: TReader | TReaderRefusal): boolean {
  if (isRefusal(now)) return false;
  if (first.kind === 'session') return now.kind === 'session' && now.session.sessionId === first.session.sessionId;
  return now.kind === 'token' && now.token.tokenId === first.token.tokenId;
}
