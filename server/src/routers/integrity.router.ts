import { ZIntegrityVerifyOutput, ZNoInput } from '@modula/contracts';
import { verifyChain } from '@modula/domain';
import { adminProcedure, router } from '../trpc.ts';

export const integrityRouter = router({
  verify: adminProcedure.input(ZNoInput).output(ZIntegrityVerifyOutput)
    .query(({ ctx }) => verifyChain(ctx.services.orm, ctx.tenantId)),
});
