import { ZExportsCreateInput, ZExportsCreateOutput, ZExportsGetInput, ZExportsGetOutput } from '@modula/contracts';
import { createExportRequest, getExport, markExportFailed } from '@modula/domain';
import { TRPCError } from '@trpc/server';
import { exportQueueOf } from '../export-queue.ts';
import { adminProcedure, router } from '../trpc.ts';

export const exportsRouter = router({
  /** Queues a signed CSV or PDF pack of the filtered log; poll `exports.get` until READY. TOO_MANY_REQUESTS past the tenant's export limits. */
  create: adminProcedure
    .input(ZExportsCreateInput)
    .output(ZExportsCreateOutput)
    .mutation(async ({ ctx, input }) => {
      const { orm } = ctx.services;
      const requestedBy = { userId: ctx.session.userId, name: ctx.session.name, email: ctx.session.email };
      const limits = { maxConcurrent: ctx.services.config.EXPORT_MAX_CONCURRENT, maxPerDay: ctx.services.config.EXPORT_MAX_PER_DAY };
      const exportId = await createExportRequest(orm, ctx.tenantId, { format: input.format, filter: input.filter, requestedBy, limits });
      try {
        await exportQueueOf(ctx.services).enqueue(ctx.tenantId, exportId);
      } catch (err) {
        await markExportFailed(orm, ctx.tenantId, exportId, 'the export queue was unavailable').catch(() => {});
        throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'the export queue is unavailable; retry later', cause: err });
      }
      return { exportId };
    }),
  get: adminProcedure
    .input(ZExportsGetInput)
    .output(ZExportsGetOutput)
    .query(async ({ ctx, input }) => {
      const { fileName: _fileName, ...view } = await getExport(ctx.services.orm, ctx.tenantId, input.exportId);
      return view;
    }),
});
