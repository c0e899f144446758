import { administrationEvent, AppError, exportUrls, findSession, getExport, openExportPart, packStoresOf, sessionActor } from '@modula/domain';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { authSettingsOf, sessionCookieName } from '../auth-settings.ts';
import { recordAdministration } from '../administration.ts';
import { userProvenance } from '../provenance.ts';
import type { TServices } from '../context.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', pdf: 'application/pdf' } as const;

function refuse(reply: FastifyReply, status: number, code: string, message: string) {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .send({ error: { message, data: { code, httpStatus: status } } });
}

/**
 * GET /exports/:exportId/file and /exports/:exportId/manifest: the pack's bytes, to a signed-in
 * Admin of the export's tenant only (401 without a session, 403 for other roles, 404 for another
 * tenant's export — row-level security does not even let us see it). Streamed from the pack store
 * (the database or S3), so any server serves a pack any worker built.
 */
export function registerExportDownloads(app: FastifyInstance, services: TServices): void {
  const settings = authSettingsOf(services.config);
  const stores = packStoresOf(services.orm, services.config);
  for (const part of ['file', 'manifest'] as const) {
    app.get<{ Params: { exportId: string } }>(`/exports/:exportId/${part}`, async (req, reply) => {
      const token = req.cookies[sessionCookieName(services.config)];
      const session = token ? await findSession(services.orm, settings, token) : undefined;
      if (!session) return refuse(reply, 401, 'UNAUTHORIZED', 'sign in first');
      if (session.role !== 'ADMIN') return refuse(reply, 403, 'FORBIDDEN', 'only an Admin of the tenant may download its exports');
      const { exportId } = req.params;
      if (!UUID.test(exportId)) return refuse(reply, 404, 'NOT_FOUND', 'no such export');
      let view;
      try {
        view = await getExport(services.orm, session.tenantId, exportId);
      } catch (err) {
        if (err instanceof AppError && err.code === 'NOT_FOUND') return refuse(reply, 404, 'NOT_FOUND', 'no such export');
        throw err;
      }
      if (view.status !== 'READY' || !view.fileName || !view.format) return refuse(reply, 409, 'CONFLICT', `the export is ${view.status}`);
      const opened = await openExportPart(services.orm, stores, services.config.DATA_DIR, session.tenantId, exportId, part);
      if (!opened) {
        if (part === 'file' && view.fileDeletedAt) {
          const hours = services.config.EXPORT_RETENTION_HOURS;
          const kept = hours >= 1 ? `${hours} hours` : `${Math.round(hours * 3600)} seconds`;
          return refuse(
            reply,
            410,
            'GONE',
            `the export file was deleted at ${view.fileDeletedAt}, ${kept} after it was built (EXPORT_RETENTION_HOURS); its signed manifest is still at ${exportUrls(exportId).manifestUrl}: create a new export for a fresh copy`,
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
                session.tenantId,
                'AUDIT_EXPORT_DOWNLOADED',
                sessionActor(session),
                { type: 'EXPORT', id: exportId, label: view.fileName },
                { metadata: { format: view.format, sha256: view.sha256 ?? null }, context: { sessionId: session.sessionId } },
              ),
            ],
            userProvenance(session.userId, req.ip ?? null),
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
