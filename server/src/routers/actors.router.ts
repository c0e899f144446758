import { ZActorsListInput, ZActorsListOutput } from '@modula/contracts';
import { listActors } from '@modula/domain';
import { recordRead } from '../read-access.ts';
import { adminProcedure, router } from '../trpc.ts';

export const actorsRouter = router({
  /** The people (and system actors) the tenant's log has seen, with the name and role of their latest event; searchable. */
  list: adminProcedure
    .input(ZActorsListInput)
    .output(ZActorsListOutput)
    .query(async ({ ctx, input }) => {
      const items = await listActors(ctx.services.orm, ctx.tenantId, input);
      await recordRead(ctx.services, { kind: 'session', session: ctx.session }, { procedure: 'actors.list', filter: { ...input } }, ctx.http?.ip ?? null);
      return { items };
    }),
});
