import {
  ZNoInput,
  ZStreamChangeOutput,
  ZStreamCreateInput,
  ZStreamDeleteOutput,
  ZStreamIdInput,
  ZStreamsListOutput,
  ZStreamTestOutput,
  ZStreamUpdateInput,
} from '@modula/contracts';
import { createStream, deleteStream, listStreams, setStreamPaused, testStream, updateStream } from '@modula/domain';
import { recordStreamChange, streamSettingsOf } from '../streams/stream-admin.ts';
import { adminProcedure, router } from '../trpc.ts';

/**
 * Log streams (issue 16): an Admin's session only (a read token never manages). Every change is
 * recorded in the tenant's log; `test` sends one marked test delivery and changes nothing.
 */
export const streamsRouter = router({
  list: adminProcedure
    .input(ZNoInput)
    .output(ZStreamsListOutput)
    .query(async ({ ctx }) => ({ items: await listStreams(ctx.services.orm, ctx.tenantId, streamSettingsOf(ctx.services)) })),
  create: adminProcedure
    .input(ZStreamCreateInput)
    .output(ZStreamChangeOutput)
    .mutation(async ({ ctx, input }) => {
      const created = await createStream(ctx.services.orm, streamSettingsOf(ctx.services), ctx.tenantId, input);
      await recordStreamChange(ctx.services, ctx.session, 'STREAM_CREATED', created.stream, ctx.http?.ip ?? null);
      return created;
    }),
  update: adminProcedure
    .input(ZStreamUpdateInput)
    .output(ZStreamChangeOutput)
    .mutation(async ({ ctx, input }) => {
      const { before, credentialChanged, urlChanged, ...changed } = await updateStream(ctx.services.orm, streamSettingsOf(ctx.services), ctx.tenantId, input);
      await recordStreamChange(ctx.services, ctx.session, 'STREAM_UPDATED', changed.stream, ctx.http?.ip ?? null, before, {
        credentialChanged,
        urlChanged,
      });
      return changed;
    }),
  pause: adminProcedure
    .input(ZStreamIdInput)
    .output(ZStreamChangeOutput)
    .mutation(async ({ ctx, input }) => {
      const { stream, changed } = await setStreamPaused(ctx.services.orm, ctx.tenantId, input.id, true);
      if (changed) await recordStreamChange(ctx.services, ctx.session, 'STREAM_PAUSED', stream, ctx.http?.ip ?? null);
      return { stream };
    }),
  resume: adminProcedure
    .input(ZStreamIdInput)
    .output(ZStreamChangeOutput)
    .mutation(async ({ ctx, input }) => {
      const { stream, changed } = await setStreamPaused(ctx.services.orm, ctx.tenantId, input.id, false);
      if (changed) await recordStreamChange(ctx.services, ctx.session, 'STREAM_RESUMED', stream, ctx.http?.ip ?? null);
      return { stream };
    }),
  delete: adminProcedure
    .input(ZStreamIdInput)
    .output(ZStreamDeleteOutput)
    .mutation(async ({ ctx, input }) => {
      const stream = await deleteStream(ctx.services.orm, ctx.tenantId, input.id);
      await recordStreamChange(ctx.services, ctx.session, 'STREAM_DELETED', stream, ctx.http?.ip ?? null);
      return { deleted: true as const };
    }),
  test: adminProcedure
    .input(ZStreamIdInput)
    .output(ZStreamTestOutput)
    .mutation(async ({ ctx, input }) => testStream(ctx.services.orm, streamSettingsOf(ctx.services), ctx.tenantId, input.id)),
});
