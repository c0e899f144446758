import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { v7 as uuidv7 } from 'uuid';
import type { CpuMeter } from './cpu-accounting.ts';
import { COPY_COLUMNS, generateStoredRows, toCsvLine } from './stored-rows.ts';

/**
 * The machine's limit: COPY of the same rows into the tables the pipeline writes — audit_events
 * itself, with every index, constraint and trigger (the statement trigger that fills
 * audit_event_search and its trigram index) — split over `connections` connections. Each
 * connection writes a tenant of its own (created here), as the pipeline's concurrent transactions
 * each hold one tenant's chain: the rows never collide with the pipeline's, and two COPYs never
 * upsert the same per-tenant counts (login_failure_counts and the like) in opposite orders, which
 * deadlocked the run now and then (PostgreSQL: "deadlock detected … login_failure_counts"). Rows
 * are generated before timing. What the ratio to this then measures is the pipeline's own cost:
 * HTTP, validation, redaction, queueing, hashing and the statements it sends. `cpu` (optional)
 * measures the timed part.
 */
export async function measureCopyLimit(url: string, events: number, connections: number, cpu?: CpuMeter): Promise<number> {
  const admin = new pg.Client({ connectionString: url });
  // as the COPY connections below: an error event after a failure must not hide that failure
  admin.on('error', () => {});
  await admin.connect();
  const share = Math.ceil(events / connections);
  const parts: string[][] = [];
  for (let c = 0; c < connections; c++) {
    const tenantId = uuidv7();
    await admin.query('insert into tenants (id, name) values ($1, $2)', [tenantId, `COPY limit ${tenantId}`]);
    parts.push(generateStoredRows(tenantId, Math.max(0, Math.min(share, events - c * share)), 1).map(toCsvLine));
  }
  const clients = await Promise.all(
    parts.map(async () => {
      const c = new pg.Client({ connectionString: url });
      // a connection ended under it (the bench stopping PostgreSQL after another failure) must not
      // crash the process and hide that failure: the COPY's own promise reports it
      c.on('error', () => {});
      await c.connect();
      return c;
    }),
  );
  cpu?.start();
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, c) => {
      await client.query('begin');
      await pipeline(Readable.from(parts[c]!), client.query(copyFrom(`copy audit_events (${COPY_COLUMNS}) from stdin with (format csv)`)));
      await client.query('commit');
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  cpu?.stop(events);
  await Promise.all(clients.map((c) => c.end()));
  await admin.end();
  return events / seconds;
}
