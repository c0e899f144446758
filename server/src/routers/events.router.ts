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
import { filterOf } from '../administration.ts';
import { recordRead } from '../read-access.ts';
import { adminProcedure, readerProcedure, router } from '../trpc.ts';

export const eventsRouter = router({
  /** An Admin's session or a read token (issue 16); the reading is recorded (once per session or token and filter). */
  list: readerProcedure
    .input(ZEventsListInput)
    .output(ZEventsListOutput)
    .query(async ({ ctx, input }) => {
      const page = await findEvents(ctx.services.orm, authSettingsOf(ctx.services.config).serverSecret, ctx.tenantId, input);
      await recordRead(ctx.services, ctx.reader, { procedure: 'events.list', filter: filterOf(input) }, ctx.http?.ip ?? null);
      return page;
    }),
  /**
   * With `withProof: true`, also the event's inclusion proof against the latest signed checkpoint (null
   * before the first), with the event's record and prevHash: a saved answer can be checked in full.
   */
  get: readerProcedure
    .input(ZEventsGetWithProofInput)
    .output(ZEventsGetWithProofOutput)
    .query(async ({ ctx, input }) => {
      const view = await getEvent(ctx.services.orm, ctx.tenantId, input.id);
      await recordRead(ctx.services, ctx.reader, { procedure: 'events.get', filter: { id: input.id } }, ctx.http?.ip ?? null);
      return input.withProof ? { ...view, proof: await proveInclusion(ctx.services.orm, ctx.tenantId, view.seq, { withRecord: true }) } : view;
    }),
  /** How many events of the filter happened on each day of `timeZone` (the viewer's), from hourly counts: the timeline above the log. */
  timeline: adminProcedure
    .input(ZEventsTimelineInput)
    .output(ZEventsTimelineOutput)
    .query(async ({ ctx, input }) => {
      const days = await countEventsByDay(ctx.services.orm, ctx.tenantId, input);
      await recordRead(ctx.services, { kind: 'session', session: ctx.session }, { procedure: 'events.timeline', filter: { ...input } }, ctx.http?.ip ?? null);
      return days;
    }),
});
