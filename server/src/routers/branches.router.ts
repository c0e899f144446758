import { ZBranchesListOutput, ZNoInput } from '@modula/contracts';
import { listBranches } from '@modula/domain';
import { adminProcedure, router } from '../trpc.ts';

export const branchesRouter = router({
  list: adminProcedure
    .input(ZNoInput)
    .output(ZBranchesListOutput)
    .query(async ({ ctx }) => ({ items: await listBranches(ctx.services.orm, ctx.tenantId) })),
});
