import { ZExportsCreateInput, ZExportsCreateOutput, ZExportsGetInput, ZExportsGetOutput } from '@modula/contracts';
import { createExportRequest, exportRequestDigest, getExport, markExportFailed, type TRequestedBy } from '@modula/domain';
import { TRPCError } from '@trpc/server';
import { exportQueueOf } from '../export-queue.ts';
import { recordRead, type TReader } from '../read-access.ts';
import { readerProcedure, router } from '../trpc.ts';

/** Who asked for a pack, as its record keeps it: the Admin (mailed when it is ready), or a read token (no mail: it polls). */
function requesterOf(reader: TReader): TRequestedBy {
  if (reader.kind === 'session') return { userId: reader.session.userId, name: reader.session.name, email: reader.session.email };
  return { userId: null, name: `${reader.token.name} (read token)`, email: null };
}

export const exportsRouter = router({
  /** Queues a signed CSV or PDF pack of the filtered log; poll `exports.get` until READY. TOO_MANY_REQUESTS past the tenant's export limits. */
  create: readerProcedure
    .input(ZExportsCreateInput)
    .output(ZExportsCreateOutput)
    .mutation(async ({ ctx, input }) => {
      const { orm } = ctx.services;
      await recordRead(ctx.services, ctx.reader, { procedure: 'exports.create', filter: { format: input.format, filter: input.filter } }, ctx.http?.ip ?? null);
      const requestedBy = requesterOf(ctx.reader);
      const limits = { maxConcurrent: ctx.services.config.EXPORT_MAX_CONCURRENT, maxPerDay: ctx.services.config.EXPORT_MAX_PER_DAY };
      const exportId = await createExportRequest(orm, ctx.tenantId, { format: input.format, filter: input.filter, requestedBy, limits });
      try {
        await exportQueueOf(ctx.services).enqueue(ctx.tenantId, exportId, exportRequestDigest({ format: input.format, filter: input.filter, requestedBy }));
      } catch (err) {
        await markExportFailed(orm, ctx.tenantId, exportId, 'the export queue was unavailable').catch(() => {});
        throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'the export queue is unavailable; retry later', cause: err });
      }
      return { exportId };
    }),
  get: readerProcedure
    .input(ZExportsGetInput)
    .output(ZExportsGetOutput)
    .query(async ({ ctx, input }) => {
      const { fileName: _fileName, ...view } = await getExport(ctx.services.orm, ctx.tenantId, input.exportId);
      await recordRead(ctx.services, ctx.reader, { procedure: 'exports.get', filter: { exportId: input.exportId } }, ctx.http?.ip ?? null);
      return view;
    }),
});
