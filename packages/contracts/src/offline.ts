import { z } from 'zod';
import { readText } from './read.ts';

/** `time.now`: the service's clock, so an offline device can measure how far its own clock is off. */
export const ZTimeNowOutput = z.object({
  /** The service's time when it answered (UTC, milliseconds). */
  now: z.iso.datetime(),
});
export type TTimeNowOutput = z.infer<typeof ZTimeNowOutput>;

/**
 * A run of a device's numbers (`context.deviceSeq`) with no stored event: "events 1042–1050 from
 * till 7 never arrived". `from` and `to` are inclusive; `missing = to − from + 1`.
 */
export const ZDeviceGap = z.object({
  deviceId: z.string(),
  from: z.number().int().min(1),
  to: z.number().int().min(1),
  missing: z.number().int().min(1),
});
export type TDeviceGap = z.infer<typeof ZDeviceGap>;

export const ZDevicesGapsInput = z
  .strictObject({
    /** Only this device (default: every device of the tenant). */
    deviceId: readText(128).optional(),
  })
  .optional();
export const ZDevicesGapsOutput = z.object({ items: z.array(ZDeviceGap) });
export type TDevicesGapsOutput = z.infer<typeof ZDevicesGapsOutput>;
