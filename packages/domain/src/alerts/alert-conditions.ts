import type { TAlertChainBrokenJob } from '@modula/contracts';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { eventIdsOf, insertAlert } from './alert-raise.ts';
import type { TRaisedAlert } from './alert-evaluate.ts';
import { rulesByName } from './alert-rules.ts';

/**
 * CHAIN_BROKEN: a verification (integrity.verify, verify-chain, the checkpoint worker) found the
 * tenant's chain broken. One alert per window: the windows are aligned to the rule's length (the
 * hour by default), so every worker that hears of the same break within it names the same
 * window_start and the unique key lets one of them raise it.
 */
export async function raiseChainBroken(orm: Orm, found: TAlertChainBrokenJob): Promise<TRaisedAlert | undefined> {
  return withTenant(orm, found.tenantId, async (em) => {
    const db = dbOf(em);
    const rule = (await rulesByName(db, found.tenantId)).CHAIN_BROKEN;
    if (!rule.enabled) return undefined;
    const windowMs = rule.windowMinutes * 60_000;
    const at = Date.parse(found.detectedAt);
    const alert = await insertAlert(db, found.tenantId, rule, {
      rule: 'CHAIN_BROKEN',
      subject: 'chain',
      subjectLabel: 'hash chain',
      windowStart: new Date(Math.floor(at / windowMs) * windowMs).toISOString(),
      firstAt: found.detectedAt,
      lastAt: found.detectedAt,
      count: 1,
      seqs: found.brokenSeq ? [found.brokenSeq] : [],
      filter: {},
      details: { brokenSeq: found.brokenSeq, source: found.source, reason: found.reason },
    });
    return alert ? { alert, eventIds: await eventIdsOf(db, found.tenantId, alert.seqs) } : undefined;
  });
}

interface GapRow {
  device_id: string;
  from_seq: string;
  to_seq: string;
  next_seq: string;
  seen_at: string;
}

/**
 * DEVICE_GAP: runs of a device's numbers (context.deviceSeq) with no stored event that were still
 * open `windowMinutes` after they showed — when the event after the gap was stored. One alert per
 * gap: its subject is the device and the gap's first number, its window starts when it showed.
 * Reads the (tenant_id, device_id, device_seq) index, as insights.deviceGaps does.
 */
export async function raiseDeviceGaps(orm: Orm, tenantId: string): Promise<TRaisedAlert[]> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const rule = (await rulesByName(db, tenantId)).DEVICE_GAP;
    if (!rule.enabled) return [];
    const gaps = (
      await sql<GapRow>`select device_id, prev_seq + 1 as from_seq, device_seq - 1 as to_seq, seq::text as next_seq,
          to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as seen_at
        from (
          select device_id, device_seq, seq, received_at,
            coalesce(lag(device_seq) over (partition by device_id order by device_seq), 0) as prev_seq
          from audit_events
          where tenant_id = ${tenantId} and device_id is not null and device_seq is not null
        ) numbered
        where device_seq - prev_seq - 1 > ${rule.threshold}::int
          and received_at <= now() - make_interval(mins => ${rule.windowMinutes}::int)
          and not exists (select 1 from alerts a where a.tenant_id = ${tenantId} and a.rule = 'DEVICE_GAP'
                          and a.subject = numbered.device_id || '#' || (numbered.prev_seq + 1)::text)
        order by device_id, from_seq limit 100`.execute(db)
    ).rows;
    const raised: TRaisedAlert[] = [];
    for (const g of gaps) {
      const from = Number(g.from_seq);
      const to = Number(g.to_seq);
      const alert = await insertAlert(db, tenantId, rule, {
        rule: 'DEVICE_GAP',
        subject: `${g.device_id}#${from}`,
        subjectLabel: `${g.device_id}: ${from}–${to}`,
        windowStart: g.seen_at,
        firstAt: g.seen_at,
        lastAt: g.seen_at,
        count: to - from + 1,
        seqs: [Number(g.next_seq)],
        filter: { deviceIds: [g.device_id] },
        details: { deviceId: g.device_id, fromDeviceSeq: from, toDeviceSeq: to },
      });
      if (alert) raised.push({ alert, eventIds: await eventIdsOf(db, tenantId, alert.seqs) });
    }
    return raised;
  });
}
