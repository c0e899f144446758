import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { COPY_COLUMNS, generateStoredRows, toCsvLine } from './stored-rows.ts';

/**
 * The machine's limit: COPY of the same rows into a table with the same columns, constraints and
 * indexes as audit_events, split over `connections` connections. Rows are generated before timing.
 */
export async function measureCopyLimit(url: string, tenantId: string, events: number, connections: number): Promise<number> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('drop table if exists bench_copy');
  await admin.query('create table bench_copy (like audit_events including all)');
  const share = Math.ceil(events / connections);
  const parts = Array.from({ length: connections }, (_, c) => {
    const rows = generateStoredRows(tenantId, Math.min(share, events - c * share), c * share + 1);
    return rows.map(toCsvLine);
  });
  const clients = await Promise.all(parts.map(async () => { const c = new pg.Client({ connectionString: url }); await c.connect(); return c; }));
  const started = performance.now();
  await Promise.all(clients.map(async (client, c) => {
    await client.query('begin');
    await pipeline(Readable.from(parts[c]!), client.query(copyFrom(`copy bench_copy (${COPY_COLUMNS}) from stdin with (format csv)`)));
    await client.query('commit');
  }));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  await admin.query('drop table bench_copy');
  await admin.end();
  return events / seconds;
}
