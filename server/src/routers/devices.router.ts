import { ZDevicesGapsInput, ZDevicesGapsOutput } from '@modula/contracts';
import { findDeviceGaps } from '@modula/domain';
import { adminProcedure, router } from '../trpc.ts';

export const devicesRouter = router({
  /** Runs of device numbers with no stored event, per device: "events 1042–1050 from till 7 never arrived". */
  gaps: adminProcedure
    .input(ZDevicesGapsInput)
    .output(ZDevicesGapsOutput)
    .query(async ({ ctx, input }) => ({ items: await findDeviceGaps(ctx.services.orm, ctx.tenantId, { deviceId: input?.deviceId }) })),
});
