import { ZIngestBatchInput, ZIngestBatchOutput, ZIngestRecordOutput, ZIngestStatusInput, ZIngestStatusOutput, ZUuid } from '@modula/contracts';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { eventStatuses, ingestEvents } from '../ingest-service.ts';
import { ingestProvenance } from '../provenance.ts';
import { ingestProcedure, IssuesError, router, trpcCodeOf } from '../trpc.ts';

export const ingestRouter = router({
  batch: ingestProcedure
    .input(ZIngestBatchInput)
    .output(ZIngestBatchOutput)
    .mutation(({ ctx, input }) => ingestEvents(ctx.services, ctx.principal, input.events, ingestProvenance(ctx, ctx.principal))),

  record: ingestProcedure
    .input(z.unknown())
    .output(ZIngestRecordOutput)
    .mutation(async ({ ctx, input }) => {
      const result = await ingestEvents(ctx.services, ctx.principal, [input], ingestProvenance(ctx, ctx.principal));
      const rejection = result.rejected[0];
      if (rejection) {
        throw new TRPCError({
          code: trpcCodeOf(rejection.code),
          message: rejection.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; '),
          cause: new IssuesError('invalid event', rejection.issues),
        });
      }
      return { eventId: result.accepted[0]! };
    }),

  status: ingestProcedure
    // a system caller names the tenant; an API key is its tenant
    .input(ZIngestStatusInput.extend({ tenantId: ZUuid.optional() }))
    .output(ZIngestStatusOutput)
    .query(async ({ ctx, input }) => {
      const tenantId = ctx.principal.kind === 'apiKey' ? ctx.principal.tenantId : input.tenantId;
      if (!tenantId) throw new TRPCError({ code: 'BAD_REQUEST', message: 'tenantId is required for the system caller' });
      if (ctx.principal.kind === 'apiKey' && input.tenantId && input.tenantId !== tenantId) {
        throw new TRPCError({ code: 'FORBIDDEN', message: 'not the tenant of this API key' });
      }
      return { statuses: await eventStatuses(ctx.services, tenantId, input.eventIds) };
    }),
});
