import { ZAuditEventView, ZEventsGetInput, ZEventsListInput, ZEventsListOutput } from '@modula/contracts';
import { findEvents, getEvent } from '@modula/domain';
import { authSettingsOf } from '../auth-settings.ts';
import { adminProcedure, router } from '../trpc.ts';

export const eventsRouter = router({
  list: adminProcedure.input(ZEventsListInput).output(ZEventsListOutput)
    .query(({ ctx, input }) => findEvents(ctx.services.orm, authSettingsOf(ctx.services.config).serverSecret, ctx.tenantId, input)),
  get: adminProcedure.input(ZEventsGetInput).output(ZAuditEventView)
    .query(({ ctx, input }) => getEvent(ctx.services.orm, ctx.tenantId, input.id)),
});
