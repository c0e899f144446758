import { ZDevicesGapsInput, ZDevicesGapsOutput } from '@modula/contracts';
import { findDeviceGaps } from '@modula/domain';
import { recordRead } from '../read-access.ts';
import { adminProcedure, router } from '../trpc.ts';

export const devicesRouter = router({
  /** Runs of device numbers with no stored event, per device: "events 1042–1050 from till 7 never arrived". */
  gaps: adminProcedure
    .input(ZDevicesGapsInput)
    .output(ZDevicesGapsOutput)
    .query(async ({ ctx, input }) => {
      const items = await findDeviceGaps(ctx.services.orm, ctx.tenantId, { deviceId: input?.deviceId });
      await recordRead(ctx.services, { kind: 'session', session: ctx.session }, { procedure: 'devices.gaps', filter: { ...input } }, ctx.http?.ip ?? null);
      return { items };
    }),
});
