import { ZNoInput, ZTimeNowOutput } from '@modula/contracts';
import { publicProcedure, router } from '../trpc.ts';

export const timeRouter = router({
  /** The service's clock. Public: a device measures its clock offset even before its key is set up. */
  now: publicProcedure
    .input(ZNoInput)
    .output(ZTimeNowOutput)
    .query(() => ({ now: new Date().toISOString() })),
});
