import { ZFailedLoginsInput, ZFailedLoginsOutput } from '@modula/contracts';
import { findFailedLogins } from '@modula/domain';
import { recordRead } from '../read-access.ts';
import { adminProcedure, router } from '../trpc.ts';

export const insightsRouter = router({
  failedLogins: adminProcedure
    .input(ZFailedLoginsInput)
    .output(ZFailedLoginsOutput)
    .query(async ({ ctx, input }) => {
      const items = await findFailedLogins(ctx.services.orm, ctx.tenantId, input);
      await recordRead(
        ctx.services,
        { kind: 'session', session: ctx.session },
        { procedure: 'insights.failedLogins', filter: { ...input } },
        ctx.http?.ip ?? null,
      );
      return { items };
    }),
});
