import { ZAiActionsInput, ZAiActionsOutput } from '@modula/contracts';
import { findAiActions } from '@modula/domain';
import { filterOf, recordLogViewed } from '../administration.ts';
import { authSettingsOf } from '../auth-settings.ts';
import { adminProcedure, router } from '../trpc.ts';

export const aiRouter = router({
  /** The AI module's events with their trigger, confidence, risk level and who approved or rejected (seed lesson: AI → Action History). */
  actions: adminProcedure
    .input(ZAiActionsInput)
    .output(ZAiActionsOutput)
    .query(async ({ ctx, input }) => {
      const query = { limit: 50, ...input };
      const page = await findAiActions(ctx.services.orm, authSettingsOf(ctx.services.config).serverSecret, ctx.tenantId, query);
      // reading the AI history is reading the log (PCI DSS 10.2.1.1): recorded as events.list's are
      await recordLogViewed(ctx.services, ctx.session, { ...filterOf(query), modules: ['AI'] }, ctx.http?.ip ?? null);
      return page;
    }),
});
