import { isIP } from 'node:net';
import { administrationEvent, AppError, exportUrls, getExport, openExportPart, packStoresOf, readTokenActor, sessionActor } from '@modula/domain';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { recordAdministration } from '../administration.ts';
import { readTokenCredential, userProvenance } from '../provenance.ts';
import { isRefusal, readerOfRequest } from './request-reader.ts';
import type { TServices } from '../context.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', pdf: 'application/pdf' } as const;

const ipOrNull = (ip: string | undefined) => (ip && isIP(ip) ? ip : null);
function ipContext(ip: string | undefined): { ip?: string } {
  const address = ipOrNull(ip);
  return address ? { ip: address } : {};
}

function refuse(reply: FastifyReply, status: number, code: string, message: string) {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .send({ error: { message, data: { code, httpStatus: status } } });
}

/**
 * GET /exports/:exportId/file and /exports/:exportId/manifest: the pack's bytes, to a signed-in
 * Admin of the export's tenant or a read token of it (issue 16) only (401 without either, 403 for other roles, 404 for another
 * tenant's export — row-level security does not even let us see it). Streamed from the pack store
 * (the database or S3), so any server serves a pack any worker built.
 */
export function registerExportDownloads(app: FastifyInstance, services: TServices): void {
  const stores = packStoresOf(services.orm, services.config);
  for (const part of ['file', 'manifest'] as const) {
    app.get<{ Params: { exportId: string } }>(`/exports/:exportId/${part}`, async (req, reply) => {
      const reader = await readerOfRequest(services, req);
      if (isRefusal(reader))
        return refuse(reply, reader.status, reader.code, reader.status === 403 ? 'only an Admin of the tenant may download its exports' : reader.message);
      const tenantId = reader.kind === 'session' ? reader.session.tenantId : reader.token.tenantId;
      // an upper-case id is the same export (the contract's ids are case-insensitive, as exports.get takes them)
      const exportId = req.params.exportId.toLowerCase();
      if (!UUID.test(exportId)) return refuse(reply, 404, 'NOT_FOUND', 'no such export');
      let view;
      try {
        view = await getExport(services.orm, tenantId, exportId);
      } catch (err) {
        if (err instanceof AppError && err.code === 'NOT_FOUND') return refuse(reply, 404, 'NOT_FOUND', 'no such export');
        throw err;
      }
      if (view.status !== 'READY' || !view.fileName || !view.format) return refuse(reply, 409, 'CONFLICT', `the export is ${view.status}`);
      const opened = await openExportPart(services.orm, stores, services.config.DATA_DIR, tenantId, exportId, part);
      if (!opened) {
        // the retention sweep may have deleted the file between the two reads: ask the row again
        const deletedAt = part === 'file' ? (view.fileDeletedAt ?? (await getExport(services.orm, tenantId, exportId)).fileDeletedAt) : undefined;
        if (deletedAt) {
          const hours = services.config.EXPORT_RETENTION_HOURS;
          const kept = hours >= 1 ? `${hours} hours` : `${Math.round(hours * 3600)} seconds`;
          return refuse(
            reply,
            410,
            'GONE',
            `the export file was deleted at ${deletedAt}, ${kept} after it was built (EXPORT_RETENTION_HOURS); its signed manifest is still at ${exportUrls(exportId).manifestUrl}: create a new export for a fresh copy`,
          );
        }
        // a pack built before issue 14 lives on the disk of the host that built it
        return refuse(reply, 410, 'GONE', 'the export file is no longer on this server');
      }
      const name = opened.name;
      if (part === 'file') {
        // PCI DSS 10.2.1.1: who took a copy of the log, and which one
        try {
          await recordAdministration(
            services,
            [
              administrationEvent(
                tenantId,
                'AUDIT_EXPORT_DOWNLOADED',
                reader.kind === 'session' ? sessionActor(reader.session) : readTokenActor(reader.token),
                { type: 'EXPORT', id: exportId, label: view.fileName },
                {
                  metadata: { format: view.format, sha256: view.sha256 ?? null },
                  context: reader.kind === 'session' ? { sessionId: reader.session.sessionId } : ipContext(req.ip),
                },
              ),
            ],
            reader.kind === 'session'
              ? userProvenance(reader.session.userId, req.ip ?? null)
              : { credential: readTokenCredential(reader.token.tokenId), sourceAddress: ipOrNull(req.ip) },
          );
        } catch {
          opened.stream.destroy();
          return refuse(reply, 503, 'SERVICE_UNAVAILABLE', 'the download could not be recorded in the audit log; try again');
        }
      }
      return reply
        .header('content-type', part === 'file' ? CONTENT_TYPES[view.format] : 'application/json')
        .header('content-length', opened.bytes)
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .send(opened.stream);
    });
  }
}
