import type { TDeviceGap } from '@modula/contracts';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';

interface Row {
  device_id: string;
  from_seq: string;
  to_seq: string;
}

/**
 * Runs of each device's numbers (`context.deviceSeq`, counted from 1 by the device) with no
 * stored event, from the stored events alone: `lag(device_seq)` over each device's events in
 * order finds the previous number; a jump of more than one is a gap, and a first number above 1
 * means the device's earliest events are missing. Served by the (tenant_id, device_id,
 * device_seq) index. What the device has not sent yet after its last stored event cannot be seen
 * here; an event still queued, or quarantined, shows as a gap until it is stored.
 */
export async function findDeviceGaps(orm: Orm, tenantId: string, opts: { deviceId?: string | undefined } = {}): Promise<TDeviceGap[]> {
  const rows = await withTenant(
    orm,
    tenantId,
    async (em) =>
      (
        await sql<Row>`
    select device_id, prev_seq + 1 as from_seq, device_seq - 1 as to_seq
    from (
      select device_id, device_seq,
        coalesce(lag(device_seq) over (partition by device_id order by device_seq), 0) as prev_seq
      from audit_events
      where tenant_id = ${tenantId} and device_id is not null and device_seq is not null
        and (${opts.deviceId ?? null}::text is null or device_id = ${opts.deviceId ?? null})
    ) numbered
    where device_seq > prev_seq + 1
    order by device_id, from_seq`.execute(dbOf(em))
      ).rows,
  );
  return rows.map((r) => {
    const from = Number(r.from_seq);
    const to = Number(r.to_seq);
    return { deviceId: r.device_id, from, to, missing: to - from + 1 };
  });
}
