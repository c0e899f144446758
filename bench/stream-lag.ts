import type { TConfig } from '@modula/config';
import type { Orm } from '@modula/db';
import { createStream, createTenant, streamSettings } from '@modula/domain';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { startReceiver } from '../testing/receivers.ts';
import { provisionBenchBranches } from './e2e-http.ts';
import { benchBranchIds, generateEvent } from './generate-events.ts';
import { percentile } from './stats.ts';

export interface TStreamLag {
  rate: number;
  seconds: number;
  events: number;
  /** Stored (the seq visible in its tenant's chain head) → the webhook receiver has the request. */
  storeToDeliveryMs: { p50: number; p99: number; max: number };
  /** Accepted (the 202 of ingest.batch) → the webhook receiver has the request: what a SIEM sees. */
  ackToDeliveryMs: { p50: number; p99: number; max: number };
  /** Accepted → stored: the ingest pipeline's own share of the above. */
  ackToStoreMs: { p50: number; p99: number; max: number };
  /** Requests the receiver got and events in them beyond one each (at-least-once repeats). */
  requests: number;
  repeats: number;
  pollMs: number;
}

const HEAD_POLL_MS = 5;
// what one busy till's sync or a branch's gateway sends. Batches of 10 at 100 requests/s measure the
// ingest of small batches more than the stream (before group commit, a job and a transaction per
// batch, one at a time: about 430 events/s for one tenant): BENCH_STREAM_BATCH=10 shows it
/** Events per ingest.batch unless told (BENCH_STREAM_BATCH). */
const DEFAULT_BATCH = 100;

/**
 * Issue 16's lag figure: a fresh tenant with one signed-webhook log stream to a receiver on this
 * host, fed `rate` events/s over HTTP (batches of `batch`, 100 unless told; open loop: each batch leaves at its time
 * whether or not the previous one was answered) for `seconds`. The time each seq is stored is when
 * a poll of the tenant's chain head (every 5 ms, on its own connection) first sees it; the time it
 * is delivered is when the receiver has the request carrying it. Server and worker must allow
 * http:// and loopback destinations (STREAM_ALLOW_HTTP, STREAM_ALLOW_PRIVATE_ADDRESSES).
 */
export async function measureStreamLag(opts: {
  orm: Orm;
  config: TConfig;
  superuserUrl: string;
  baseUrl: string;
  rate: number;
  seconds: number;
  batch?: number;
}): Promise<TStreamLag> {
  const BATCH = opts.batch ?? DEFAULT_BATCH;
  const { tenantId, apiKey } = await createTenant(opts.orm, `Stream lag tenant ${new Date().toISOString()}`);
  await provisionBenchBranches(opts.baseUrl, [{ tenantId, apiKey }]);
  const delivered = new Map<number, number>();
  let requests = 0;
  let repeats = 0;
  const receiver = await startReceiver((req) => {
    const at = performance.now();
    requests += 1;
    for (const e of (JSON.parse(req.body) as { events: { seq: number }[] }).events) {
      if (delivered.has(e.seq)) repeats += 1;
      else delivered.set(e.seq, at);
    }
    return { status: 204 };
  });
  const heads = new pg.Client({ connectionString: opts.superuserUrl });
  await heads.connect();
  const storedAt = new Map<number, number>();
  const eventSeq = new Map<string, number>();
  try {
    const headSeq = async () => Number((await heads.query<{ seq: string }>('select seq from chain_heads where tenant_id = $1', [tenantId])).rows[0]?.seq ?? 0);
    const first = (await headSeq()) + 1; // the provisioning events: stored before the stream exists
    await createStream(opts.orm, streamSettings(opts.config), tenantId, { name: 'lag bench', target: { kind: 'WEBHOOK', url: `${receiver.url}/audit` } });

    let polling = true;
    let seen = first - 1;
    const poller = (async () => {
      while (polling) {
        const head = await headSeq();
        const now = performance.now();
        for (let s = seen + 1; s <= head; s++) storedAt.set(s, now);
        seen = Math.max(seen, head);
        await new Promise((r) => setTimeout(r, HEAD_POLL_MS));
      }
    })();

    const branches = benchBranchIds(tenantId);
    const total = opts.rate * opts.seconds;
    const ackedAt = new Map<string, number>();
    const sends: Promise<void>[] = [];
    const started = performance.now();
    for (let b = 0; b * BATCH < total; b++) {
      const due = started + (b * BATCH * 1000) / opts.rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const events = Array.from({ length: BATCH }, (_, i) => generateEvent(tenantId, uuidv7(), b * BATCH + i, branches));
      sends.push(
        (async () => {
          const res = await fetch(`${opts.baseUrl}/trpc/ingest.batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
            body: JSON.stringify({ events }),
          });
          if (res.status !== 200) throw new Error(`ingest.batch refused: ${res.status} ${(await res.text()).slice(0, 200)}`);
          const at = performance.now();
          for (const e of events) ackedAt.set(e.eventId, at);
        })(),
      );
    }
    await Promise.all(sends);
    // the tenant's log also holds what the service records itself meanwhile (an ALERT_RAISED, say):
    // find the seq of each event sent, then wait until every one of them is delivered
    const deadline = Date.now() + 120_000;
    for (;;) {
      const rows = await heads.query<{ seq: string; event_id: string }>('select seq, event_id from audit_events where tenant_id = $1 and seq >= $2', [
        tenantId,
        first,
      ]);
      for (const r of rows.rows) if (ackedAt.has(r.event_id)) eventSeq.set(r.event_id, Number(r.seq));
      if (eventSeq.size === total && [...eventSeq.values()].every((seq) => delivered.has(seq))) break;
      if (Date.now() > deadline) throw new Error(`stream lag: ${eventSeq.size} of ${total} events stored and not all delivered after 2 minutes`);
      await new Promise((r) => setTimeout(r, 250));
    }
    polling = false;
    await poller;

    const storeLag: number[] = [];
    const ackLag: number[] = [];
    const ackToStore: number[] = [];
    for (const seq of eventSeq.values()) storeLag.push(delivered.get(seq)! - storedAt.get(seq)!);
    for (const [eventId, at] of ackedAt) {
      const seq = eventSeq.get(eventId)!;
      ackLag.push(delivered.get(seq)! - at);
      ackToStore.push(storedAt.get(seq)! - at);
    }
    const stats = (v: number[]) => ({ p50: percentile(v, 50), p99: percentile(v, 99), max: Math.max(...v) });
    return {
      rate: opts.rate,
      seconds: opts.seconds,
      events: total,
      storeToDeliveryMs: stats(storeLag),
      ackToDeliveryMs: stats(ackLag),
      ackToStoreMs: stats(ackToStore),
      requests,
      repeats,
      pollMs: opts.config.STREAM_POLL_MS,
    };
  } finally {
    await heads.end();
    await receiver.close();
  }
}
