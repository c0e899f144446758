import { ZFailedLoginsInput, ZFailedLoginsOutput } from '@modula/contracts';
import { findFailedLogins } from '@modula/domain';
import { adminProcedure, router } from '../trpc.ts';

export const insightsRouter = router({
  failedLogins: adminProcedure
    .input(ZFailedLoginsInput)
    .output(ZFailedLoginsOutput)
    .query(async ({ ctx, input }) => ({ items: await findFailedLogins(ctx.services.orm, ctx.tenantId, input) })),
});
