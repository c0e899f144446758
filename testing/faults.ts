import { verifyChain } from '@modula/domain';
import { expect } from 'vitest';
import type { TAuditEventInput } from '@modula/contracts';
import { connect } from './database.ts';
import type { TestStack } from './stack.ts';

export interface TSendStats {
  sent: number;
  acknowledged: number;
  /** Calls that failed (service or queue unreachable) and were sent again. */
  retriedCalls: number;
  /** Calls answered 429 (the key's ingest rate) and sent again after their Retry-After. */
  rateLimitedCalls?: number;
}

/**
 * Sends events the way a careful client does: batch by batch, and a batch that was not
 * acknowledged (error, 5xx, network) is sent again after a pause until it is. Only events in an
 * acknowledged reply count as acknowledged.
 */
export async function sendUntilAcknowledged(
  baseUrl: string,
  apiKey: string,
  events: TAuditEventInput[],
  batchSize = 1000,
  clients = 2,
): Promise<TSendStats & { ackedIds: string[] }> {
  const ackedIds: string[] = [];
  let retriedCalls = 0;
  let rateLimitedCalls = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next * batchSize < events.length) {
        const batch = events.slice(next * batchSize, (next + 1) * batchSize);
        next++;
        for (;;) {
          try {
            const res = await fetch(`${baseUrl}/trpc/ingest.batch`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
              body: JSON.stringify({ events: batch }),
              signal: AbortSignal.timeout(10_000),
            });
            const body = (await res.json()) as { result?: { data: { accepted: string[]; rejected: unknown[] } } };
            if (res.ok && body.result) {
              expect(body.result.data.rejected).toEqual([]);
              ackedIds.push(...body.result.data.accepted);
              break;
            }
            // the key's ingest rate (429 with Retry-After) or an outage (5xx): wait, send again; a refusal for bad input would be a test bug
            if (res.status === 429) {
              rateLimitedCalls++;
              await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
              continue;
            }
            expect(res.status).toBeGreaterThanOrEqual(500);
          } catch (err) {
            if ((err as { name?: string }).name === 'AssertionError') throw err;
          }
          retriedCalls++;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }),
  );
  return { sent: events.length, acknowledged: ackedIds.length, retriedCalls, ...(rateLimitedCalls > 0 ? { rateLimitedCalls } : {}), ackedIds };
}

/** Waits until the queue is empty, then checks: every acknowledged event stored exactly once, chain intact, no failed job. */
export async function expectExactlyOnce(stack: TestStack, tenantId: string, ackedIds: string[], timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  const db = await connect(stack.databaseSuperuserUrl);
  try {
    for (;;) {
      const stored = (await db.query('select count(*)::int as n from audit_events where tenant_id = $1', [tenantId])).rows[0].n;
      const c = await stack.services.ingestQueue.counts();
      if (stored >= ackedIds.length && (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0) break;
      if (Date.now() > deadline) throw new Error(`only ${stored} of ${ackedIds.length} stored; queue ${JSON.stringify(c)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const row = (
      await db.query(
        `select count(*)::int n, count(distinct event_id)::int ids, min(seq)::int lo, max(seq)::int hi,
      count(*) filter (where event_id = any($2::uuid[]))::int acked from audit_events where tenant_id = $1`,
        [tenantId, ackedIds],
      )
    ).rows[0];
    expect(row.acked).toBe(ackedIds.length);
    expect(row).toMatchObject({ ids: row.n, lo: 1, hi: row.n });
    expect((await stack.services.ingestQueue.counts()).failed ?? 0).toBe(0);
    const chain = await verifyChain(stack.services.orm, tenantId);
    expect(chain).toMatchObject({ ok: true, checked: row.n });
    return { stored: row.n as number, duplicates: (row.n as number) - (row.ids as number) };
  } finally {
    await db.end();
  }
}
