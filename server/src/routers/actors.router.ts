import { ZActorsListInput, ZActorsListOutput } from '@modula/contracts';
import { listActors } from '@modula/domain';
import { adminProcedure, router } from '../trpc.ts';

export const actorsRouter = router({
  /** The people (and system actors) the tenant's log has seen, with the name and role of their latest event; searchable. */
  list: adminProcedure
    .input(ZActorsListInput)
    .output(ZActorsListOutput)
    .query(async ({ ctx, input }) => ({ items: await listActors(ctx.services.orm, ctx.tenantId, input) })),
});
