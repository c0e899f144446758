/**
 * Which statement writes a batch of audit rows for the least PostgreSQL CPU (issue 15, item 7)?
 * Writes the same kind of batches (200 rows as the worker builds them) four ways, interleaved, and
 * reads the backend's own CPU time from /proc (so the figure holds on a busy machine too):
 *   json:   INSERT … SELECT FROM json_populate_recordset(one JSON parameter)   (what the worker does;
 *           jsonb_populate_recordset before: bench/json-parameter.ts compares the two)
 *   unnest: INSERT … SELECT FROM unnest(one typed array parameter per column)
 *   copy:   COPY into a staging temporary table, then INSERT … SELECT   (the runtime role may not
 *           create temporary tables, and COPY is refused under row-level security: for comparison only)
 *   direct: COPY straight into audit_events, as the bench's limit does (bench/copy-limit.ts)
 * Every trigger and index of audit_events runs in each. Needs a superuser's URL of a scratch database
 * on this host (for /proc):
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch pnpm exec tsx bench/insert-statements.ts [rounds]
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { AUDIT_EVENT_COLUMN_LIST, AUDIT_EVENT_COLUMNS, auditEventColumnsOf, createOrm, migrate } from '@modula/db';
import { createTenant, GENESIS_HASH } from '@modula/domain';
import { processCpuMs } from './cpu-accounting.ts';
import { generateStoredRows, toCsvLine } from './stored-rows.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL: a superuser URL of a scratch database on this host');
const ROUNDS = Number(process.argv[2] ?? 30);
const BATCH = 200;
const WARMUP = 2;

await migrate(url);
const orm = await createOrm({ url, poolMax: 1 });
const tenantId = (await createTenant(orm, 'insert statements')).tenantId;
await orm.close();

const client = new pg.Client({ connectionString: url });
await client.connect();
const backendPid: number = (await client.query('select pg_backend_pid() as pid')).rows[0].pid;
const backendCpuMs = () => processCpuMs(backendPid);

const types = new Map<string, string>(
  (
    await client.query<{ name: string; type: string }>(
      `select attname as name, format_type(atttypid, null) as type from pg_attribute where attrelid = 'audit_events'::regclass and attnum > 0 and not attisdropped`,
    )
  ).rows.map((c) => [c.name, c.type]),
);
// text[] cannot be a row of a unnested array (it would be flattened): sent as array literals, cast per row
const unnestSql = `insert into audit_events (${AUDIT_EVENT_COLUMN_LIST})
  select ${AUDIT_EVENT_COLUMNS.map((c) => (types.get(c) === 'text[]' ? `${c}::text[]` : c)).join(', ')}
  from unnest(${AUDIT_EVENT_COLUMNS.map((c, i) => `$${i + 1}::${types.get(c) === 'text[]' ? 'text' : types.get(c)}[]`).join(', ')}) as u(${AUDIT_EVENT_COLUMN_LIST})`;

type TMode = 'json' | 'unnest' | 'copy' | 'direct';
const write: Record<TMode, (rows: ReturnType<typeof generateStoredRows>) => Promise<unknown>> = {
  json: (rows) =>
    client.query(
      `insert into audit_events (${AUDIT_EVENT_COLUMN_LIST}) select ${AUDIT_EVENT_COLUMN_LIST} from json_populate_recordset(null::audit_events, $1::json)`,
      [JSON.stringify(rows.map(auditEventColumnsOf))],
    ),
  unnest: (rows) => {
    const records = rows.map(auditEventColumnsOf);
    return client.query(
      unnestSql,
      AUDIT_EVENT_COLUMNS.map((c) =>
        records.map((r) => {
          const v = r[c];
          if (v === null || v === undefined) return null;
          if (types.get(c) === 'jsonb') return JSON.stringify(v);
          if (types.get(c) === 'text[]') return `{${(v as string[]).map((p) => JSON.stringify(p)).join(',')}}`;
          return v;
        }),
      ),
    );
  },
  copy: async (rows) => {
    await client.query('create temporary table if not exists staged_rows (like audit_events) on commit delete rows');
    await pipeline(Readable.from(rows.map(toCsvLine)), client.query(copyFrom(`copy staged_rows (${AUDIT_EVENT_COLUMN_LIST}) from stdin with (format csv)`)));
    return client.query(`insert into audit_events (${AUDIT_EVENT_COLUMN_LIST}) select ${AUDIT_EVENT_COLUMN_LIST} from staged_rows`);
  },
  // the bench's limit (copy-limit.ts): COPY straight into audit_events, as only a superuser may
  direct: (rows) =>
    pipeline(Readable.from(rows.map(toCsvLine)), client.query(copyFrom(`copy audit_events (${AUDIT_EVENT_COLUMN_LIST}) from stdin with (format csv)`))),
};

const totals = new Map<TMode, { backendMs: number; nodeMs: number; rows: number }>();
let seq = 1;
for (let round = 0; round < ROUNDS + WARMUP; round++) {
  const order: TMode[] = round % 2 ? ['json', 'unnest', 'copy', 'direct'] : ['direct', 'copy', 'unnest', 'json'];
  for (const mode of order) {
    const rows = generateStoredRows(tenantId, BATCH, seq, GENESIS_HASH);
    seq += BATCH;
    const backend0 = backendCpuMs();
    const node0 = process.cpuUsage();
    await client.query('begin');
    await client.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
    await write[mode](rows);
    await client.query('commit');
    const node = process.cpuUsage(node0);
    if (round < WARMUP) continue;
    const t = totals.get(mode) ?? { backendMs: 0, nodeMs: 0, rows: 0 };
    t.backendMs += backendCpuMs() - backend0;
    t.nodeMs += (node.user + node.system) / 1000;
    t.rows += BATCH;
    totals.set(mode, t);
  }
}
await client.end();
for (const [mode, t] of totals) {
  console.log(
    `${mode.padEnd(7)} PostgreSQL ${((t.backendMs * 1000) / t.rows).toFixed(1)} µs/row, Node (serialising and sending) ${((t.nodeMs * 1000) / t.rows).toFixed(1)} µs/row`,
  );
}
