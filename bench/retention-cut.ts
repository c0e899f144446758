/**
 * Retention at scale (issue 14): cuts a prefix of a large tenant's chain with `expireTenantPrefix`
 * (what `cli tenant expire` and the retention job run) while the same tenant keeps ingesting, and
 * prints what it cost: each step's time, the events stored meanwhile and their batch latency, whether
 * the partition was rewritten (its relfilenode), and verify-chain from the new anchor.
 *
 *   DATABASE_URL=<superuser URL of a seeded database> pnpm exec tsx bench/retention-cut.ts --tenant ID --through 1000000 [--data-dir DIR]
 *
 * Seed the database first with scripts/seed-events.ts (--events 10000000 --defer-search-index).
 * The ingest runs as the worker runs it: batches of 100 through `storeIsolated`, one after another.
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { createOrm } from '@modula/db';
import { expireTenantPrefix, judgeEvents, loadSigner, publishSigningKey, storeIsolated, verifyChain } from '@modula/domain';
import { generateEvent } from './generate-events.ts';
import { percentile } from './stats.ts';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    through: { type: 'string', default: '1000000' },
    'data-dir': { type: 'string', default: '/tmp/modula-retention-cut' },
  },
});
const url = process.env.DATABASE_URL;
if (!url || !values.tenant) throw new Error('usage: DATABASE_URL=<superuser URL> tsx bench/retention-cut.ts --tenant ID [--through N] [--data-dir DIR]');
const tenantId = values.tenant;
const through = Number(values.through);
const dataDir = values['data-dir'];
mkdirSync(dataDir, { recursive: true });
const BATCH = 100;
const say = (m: string) => console.error(`[retention-cut] ${m}`);

const su = new pg.Client({ connectionString: url });
await su.connect();

// a login granted the maintenance role, as an operator creates one (README: Database roles)
const maintLogin = 'bench_maint';
if ((await su.query('select 1 from pg_roles where rolname = $1', [maintLogin])).rowCount === 0) {
  await su.query(`create role ${maintLogin} login password 'maint' noinherit`);
  await su.query(`grant modula_audit_maintenance to ${maintLogin}`);
}
const maintUrl = new URL(url);
maintUrl.username = maintLogin;
maintUrl.password = 'maint';

const signer = loadSigner({ DATA_DIR: dataDir });
await publishSigningKey(url, signer);

/** The tenant's partition of audit_events, its file and size: a rewrite would change the file. */
async function partition() {
  const r = await su.query<{ part: string; node: string; bytes: string }>(
    `select c.relname as part, pg_relation_filenode(c.oid) as node, pg_total_relation_size(c.oid) as bytes
     from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'audit_events'::regclass
       and satisfies_hash_partition('audit_events'::regclass, 16, (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'remainder (\\d+)'))[1]::int, $1::uuid)`,
    [tenantId],
  );
  const row = r.rows[0]!;
  return { part: row.part, node: row.node, gib: Number(row.bytes) / 2 ** 30 };
}
const counts = async () =>
  (
    await su.query<{ events: string; head: string }>(
      'select (select count(*) from audit_events where tenant_id = $1) as events, (select seq from chain_heads where tenant_id = $1) as head',
      [tenantId],
    )
  ).rows[0]!;

const orm = await createOrm({ url, poolMax: 6 });
try {
  const before = await partition();
  const c0 = await counts();
  say(
    `tenant ${tenantId}: ${Number(c0.events).toLocaleString('en')} events, head ${c0.head}; partition ${before.part} file ${before.node}, ${before.gib.toFixed(2)} GiB`,
  );

  // the same tenant ingesting all along, batch after batch, as one worker stores them
  const latencies: { at: number; ms: number }[] = [];
  let storing = true;
  let stored = 0;
  let i = 0;
  const ingest = (async () => {
    while (storing) {
      const raw = Array.from({ length: BATCH }, () => generateEvent(tenantId, uuidv7(), i++));
      const { accepted } = judgeEvents(raw, { kind: 'system' });
      const job = { v: 1 as const, tenantId, receivedAt: new Date().toISOString(), events: accepted.map((a) => a.event), branchWaits: 0 };
      const t = performance.now();
      const outcome = await storeIsolated(orm, job, [], { lastBranchWait: true });
      latencies.push({ at: t, ms: performance.now() - t });
      stored += outcome.stored.length;
    }
  })();

  await new Promise((r) => setTimeout(r, 20_000));
  const cutStarted = performance.now();
  const storedBefore = stored;
  say(`ingesting (${storedBefore} events in 20 s before the cut); cutting 1..${through}`);
  const expiry = await expireTenantPrefix(orm, maintUrl.toString(), signer, dataDir, tenantId, through);
  const cutEnded = performance.now();
  const storedDuring = stored - storedBefore;
  storing = false;
  await ingest;
  if (!expiry) throw new Error('nothing expired');

  const after = await partition();
  const c1 = await counts();
  const spread = (xs: number[]) => ({ p50: percentile(xs, 50).toFixed(1), p99: percentile(xs, 99).toFixed(1), max: Math.max(...xs).toFixed(1) });
  const pre = spread(latencies.filter((l) => l.at < cutStarted).map((l) => l.ms));
  const during = spread(latencies.filter((l) => l.at >= cutStarted && l.at < cutEnded).map((l) => l.ms));
  const total = (cutEnded - cutStarted) / 1000;
  say(`verify-chain from the anchor at ${through}…`);
  const v0 = performance.now();
  const verification = await verifyChain(orm, tenantId);
  const verifySeconds = (performance.now() - v0) / 1000;

  console.log(
    JSON.stringify(
      {
        eventsBefore: Number(c0.events),
        removed: expiry.removed,
        range: [expiry.fromSeq, expiry.toSeq],
        seconds: { ...expiry.seconds, total },
        archive: { rows: expiry.archive.rows, sha256: expiry.archive.sha256 },
        storedDuringCut: storedDuring,
        storedPerSecondDuringCut: Math.round(storedDuring / total),
        batchLatencyMs: {
          beforeCut: pre,
          duringCut: during,
        },
        partition: { name: before.part, filenodeBefore: before.node, filenodeAfter: after.node, gibBefore: before.gib, gibAfter: after.gib },
        eventsAfter: Number(c1.events),
        headAfter: Number(c1.head),
        verifyChain: { ok: verification.ok, checked: verification.checked, firstBrokenSeq: verification.firstBrokenSeq, seconds: verifySeconds },
      },
      null,
      2,
    ),
  );
} finally {
  await orm.close();
  await su.end();
}
