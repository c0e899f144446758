import { Readable } from 'node:stream';
import { type TEventsFilter, ZEventsFilter } from '@modula/contracts';
import { findEvents } from '@modula/domain';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { authSettingsOf } from '../auth-settings.ts';
import type { TServices } from '../context.ts';
import { recordRead } from '../read-access.ts';
import { isRefusal, readerOfRequest, sameReader } from './request-reader.ts';

/** Rows per database page: one page (plus the one being sent) is all the route holds in memory. */
const PAGE_ROWS = 200;

function refuse(reply: FastifyReply, status: number, code: string, message: string, issues?: unknown) {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .send({ error: { message, data: { code, httpStatus: status, ...(issues ? { issues } : {}) } } });
}

/**
 * Each page of the filter as NDJSON text, keyset page after page (as events.list pages). Before each
 * page after the first the reader is checked again: a pull whose token is revoked or expires, or
 * whose session ends, stops within a page instead of running to the end of a large log.
 */
async function* eventLines(services: TServices, tenantId: string, filter: TEventsFilter, stillAllowed: () => Promise<boolean>): AsyncGenerator<string> {
  const secret = authSettingsOf(services.config).serverSecret;
  let cursor: string | null = null;
  do {
    if (cursor && !(await stillAllowed())) throw new Error('the reader is no longer allowed (token revoked or expired, or session ended)');
    const page = await findEvents(services.orm, secret, tenantId, { ...filter, limit: PAGE_ROWS, cursor });
    if (page.items.length > 0) yield `${page.items.map((e) => JSON.stringify(e)).join('\n')}\n`;
    cursor = page.nextCursor;
  } while (cursor);
}

/**
 * GET /api/events.ndjson?filter=<url-encoded events.list filter JSON>: every event of the filter,
 * one AuditEventView per line, newest occurredAt first (seq breaks ties) — exactly the rows
 * events.list pages through, without the paging — for bulk pulls by machines (a read token) or an
 * Admin's session. Pages are read from the database only as fast as the client takes them (the
 * stream pulls the next page when the last is sent), so memory stays at about one page whatever
 * the size. The pull is recorded before the first byte, as a read of its filter; a reader that
 * loses its right midway (revoked token) has the connection cut before the next page.
 */
export function registerEventsNdjson(app: FastifyInstance, services: TServices): void {
  app.get<{ Querystring: { filter?: string } }>('/api/events.ndjson', async (req, reply) => {
    const reader = await readerOfRequest(services, req);
    if (isRefusal(reader)) return refuse(reply, reader.status, reader.code, reader.message);
    let json: unknown;
    try {
      json = req.query.filter ? JSON.parse(req.query.filter) : {};
    } catch {
      return refuse(reply, 400, 'BAD_REQUEST', 'filter must be URL-encoded JSON: an events.list filter without cursor and limit');
    }
    const parsed = ZEventsFilter.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: ['filter', ...i.path.map((k) => (typeof k === 'symbol' ? String(k) : k))], message: i.message }));
      return refuse(reply, 400, 'BAD_REQUEST', z.prettifyError(parsed.error), issues);
    }
    const filter = parsed.data;
    const tenantId = reader.kind === 'session' ? reader.session.tenantId : reader.token.tenantId;
    try {
      await recordRead(services, reader, { procedure: 'events.ndjson', filter }, req.ip ?? null);
    } catch {
      return refuse(reply, 503, 'SERVICE_UNAVAILABLE', 'the read could not be recorded in the audit log; try again');
    }
    const stillAllowed = async () => sameReader(reader, await readerOfRequest(services, req));
    // an error cuts the connection mid-body, so the client sees an incomplete response, never a short one that looks whole
    const body = Readable.from(eventLines(services, tenantId, filter, stillAllowed), { objectMode: true, highWaterMark: 1 });
    body.on('error', (err) => services.log.warn({ err: err.message, tenantId }, 'NDJSON pull stopped'));
    return reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  });
}
