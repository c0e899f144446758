import {
  ZEventsGetWithProofInput,
  ZEventsGetWithProofOutput,
  ZEventsListInput,
  ZEventsListOutput,
  ZEventsTimelineInput,
  ZEventsTimelineOutput,
} from '@modula/contracts';
import { countEventsByDay, findEvents, getEvent, proveInclusion } from '@modula/domain';
import { authSettingsOf } from '../auth-settings.ts';
import { filterOf, recordLogViewed } from '../administration.ts';
import { adminProcedure, router } from '../trpc.ts';

export const eventsRouter = router({
  list: adminProcedure
    .input(ZEventsListInput)
    .output(ZEventsListOutput)
    .query(async ({ ctx, input }) => {
      const page = await findEvents(ctx.services.orm, authSettingsOf(ctx.services.config).serverSecret, ctx.tenantId, input);
      await recordLogViewed(ctx.services, ctx.session, filterOf(input), ctx.http?.ip ?? null);
      return page;
    }),
  /** With `withProof: true`, also the event's inclusion proof against the latest signed checkpoint (null before the first). */
  get: adminProcedure
    .input(ZEventsGetWithProofInput)
    .output(ZEventsGetWithProofOutput)
    .query(async ({ ctx, input }) => {
      const view = await getEvent(ctx.services.orm, ctx.tenantId, input.id);
      return input.withProof ? { ...view, proof: await proveInclusion(ctx.services.orm, ctx.tenantId, view.seq) } : view;
    }),
  /** How many events of the filter happened on each day of `timeZone` (the viewer's), from hourly counts: the timeline above the log. */
  timeline: adminProcedure
    .input(ZEventsTimelineInput)
    .output(ZEventsTimelineOutput)
    .query(async ({ ctx, input }) => countEventsByDay(ctx.services.orm, ctx.tenantId, input)),
});
