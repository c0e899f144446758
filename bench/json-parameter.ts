/**
 * What PostgreSQL spends reading the worker's one JSON parameter into rows of audit_events (issue
 * 15, item 7), as `json` (what the worker sends since this was measured) against `jsonb`: the same
 * 1,000 rows read by json_populate_recordset and jsonb_populate_recordset, nothing written, the
 * backend's own CPU from /proc, alternately. Needs a superuser's URL of a migrated scratch database
 * on this host (for /proc), as bench/insert-statements.ts:
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch pnpm exec tsx bench/json-parameter.ts [rounds]
 */
import pg from 'pg';
import { AUDIT_EVENT_COLUMN_LIST, auditEventColumnsOf, migrate } from '@modula/db';
import { GENESIS_HASH } from '@modula/domain';
import { v7 as uuidv7 } from 'uuid';
import { processCpuMs } from './cpu-accounting.ts';
import { generateStoredRows } from './stored-rows.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL: a superuser URL of a scratch database on this host');
const ROUNDS = Number(process.argv[2] ?? 4);
const ROWS = 1000;
const READS = 100;

await migrate(url);
const client = new pg.Client({ connectionString: url });
await client.connect();
const backendPid: number = (await client.query('select pg_backend_pid() as pid')).rows[0].pid;
const backendCpuMs = () => processCpuMs(backendPid);

const json = JSON.stringify(generateStoredRows(uuidv7(), ROWS, 1, GENESIS_HASH).map(auditEventColumnsOf));
const spent: Record<'json' | 'jsonb', number[]> = { json: [], jsonb: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const type of round % 2 ? (['json', 'jsonb'] as const) : (['jsonb', 'json'] as const)) {
    const query = `select count(*) from (select ${AUDIT_EVENT_COLUMN_LIST} from ${type}_populate_recordset(null::audit_events, $1::${type})) rows`;
    const before = backendCpuMs();
    for (let i = 0; i < READS; i++) await client.query(query, [json]);
    spent[type].push(((backendCpuMs() - before) * 1000) / (READS * ROWS));
  }
}
await client.end();
console.log(`${(json.length / ROWS).toFixed(0)} bytes of JSON per row; PostgreSQL CPU per row read, µs, each round:`);
for (const [type, figures] of Object.entries(spent)) console.log(`  ${type.padEnd(6)} ${figures.map((f) => f.toFixed(1)).join('  ')}`);
