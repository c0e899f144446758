import { ZNoInput, ZSavedView, ZSavedViewDeleteInput, ZSavedViewDeleteOutput, ZSavedViewSaveInput, ZSavedViewsListOutput } from '@modula/contracts';
import { deleteSavedView, listSavedViews, saveView } from '@modula/domain';
import { recordViewChange } from '../administration.ts';
import { adminProcedure, router } from '../trpc.ts';

/** An Admin's own named filters of the log; saving and deleting one is recorded in the tenant's log. */
export const savedViewsRouter = router({
  list: adminProcedure
    .input(ZNoInput)
    .output(ZSavedViewsListOutput)
    .query(async ({ ctx }) => ({ items: await listSavedViews(ctx.services.orm, ctx.tenantId, ctx.session.userId) })),
  save: adminProcedure
    .input(ZSavedViewSaveInput)
    .output(ZSavedView)
    .mutation(async ({ ctx, input }) => {
      const { view } = await saveView(ctx.services.orm, ctx.tenantId, ctx.session.userId, input.name, input.view);
      await recordViewChange(ctx.services, ctx.session, 'AUDIT_VIEW_SAVED', view, ctx.http?.ip ?? null);
      return view;
    }),
  delete: adminProcedure
    .input(ZSavedViewDeleteInput)
    .output(ZSavedViewDeleteOutput)
    .mutation(async ({ ctx, input }) => {
      const view = await deleteSavedView(ctx.services.orm, ctx.tenantId, ctx.session.userId, input.id);
      await recordViewChange(ctx.services, ctx.session, 'AUDIT_VIEW_DELETED', view, ctx.http?.ip ?? null);
      return { deleted: true as const };
    }),
});
