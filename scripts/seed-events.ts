/**
 * Seeds N realistic, correctly chained events for one tenant straight into PostgreSQL (COPY of
 * rows built exactly as the worker builds them, so every trigger and index is fed as in
 * production), then optionally measures the read API's first pages with EXPLAIN ANALYZE.
 *
 *   pnpm exec tsx scripts/seed-events.ts --events 2000000 [--tenant ID] [--explain docs/read-performance.md] [--defer-search-index]
 *
 * --defer-search-index drops the search table's trigram index while seeding and builds it once at the
 * end (the index, not the rows: the trigger still copies every event's text). Maintaining it row by
 * row is most of the seeding time, which at 10M events is hours on a 2-core machine; one build is minutes.
 *
 * With DATABASE_URL (the owner's URL) it seeds that database; without it, a throwaway local
 * PostgreSQL 15 in a temporary folder (removed at the end).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SYSTEM_PROVENANCE, type TEventsFilter } from '@modula/contracts';
import { createOrm, dbOf, migrate, sql, withTenant, withTenantAsOwner, type Orm } from '@modula/db';
import { findFreePort, startPostgres } from '@modula/devservers';
import { buildStoredRow, contentHashOf, createTenant, failedLoginsQuery, findFailedLogins, GENESIS_HASH, judgeEvents, prepareEventsPage } from '@modula/domain';
import { v7 as uuidv7 } from 'uuid';
import { generateEvent } from '../bench/generate-events.ts';
import { COPY_COLUMNS, toCsvLine } from '../bench/stored-rows.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '2000000' },
    tenant: { type: 'string' },
    explain: { type: 'string' },
    'defer-search-index': { type: 'boolean' },
  },
});
const TOTAL = Number(values.events);
const BATCH = 20_000;
const SPAN_MS = 365 * 86_400_000;
const BRANCHES = Array.from({ length: 20 }, (_, i) => `0193c000-0000-7000-8000-${String(i).padStart(12, '0')}`);

/** One batch of stored rows continuing the chain: a year of activity, oldest first, some offline events late. */
function batchRows(tenantId: string, startSeq: number, count: number, prevHash: string, now: number) {
  const raw = Array.from({ length: count }, (_, k) => {
    const i = startSeq + k;
    const e = generateEvent(tenantId, uuidv7(), i);
    // every 40,000th event starts a burst of 7 failed sign-ins of one account within 2 minutes
    // (50 at 2 M events): insights.failedLogins then has accounts to report, not an empty answer
    if (i % 40_000 >= 1 && i % 40_000 <= 7) {
      Object.assign(e, { action: 'LOGIN_FAILED', outcome: 'FAILED', actor: { ...e.actor, id: `user-${Math.floor(i / 40_000) % 500}` } });
      delete e.reason;
    }
    const late = i % 20 === 0 ? 3_600_000 * (1 + (i % 72)) : 0;
    e.occurredAt = new Date(now - SPAN_MS + Math.floor((i / TOTAL) * SPAN_MS) - late).toISOString();
    if (i % 10 !== 0) e.branchId = BRANCHES[i % BRANCHES.length]!;
    return e;
  });
  const { accepted, rejected } = judgeEvents(raw, { kind: 'system' });
  if (rejected.length) throw new Error(`generator produced invalid events: ${JSON.stringify(rejected[0])}`);
  const receivedAt = new Date(now).toISOString();
  let prev = prevHash;
  return accepted.map(({ event }, k) => {
    const row = buildStoredRow({
      event,
      contentHash: contentHashOf(event),
      id: uuidv7(),
      seq: startSeq + k,
      prevHash: prev,
      receivedAt,
      provenance: SYSTEM_PROVENANCE,
    });
    prev = row.hash;
    return row;
  });
}

async function seed(orm: Orm, url: string, tenantId: string): Promise<void> {
  const head = await withTenantAsOwner(
    orm,
    tenantId,
    async (em) => (await sql<{ seq: string; hash: string }>`select seq, hash from chain_heads where tenant_id = ${tenantId}`.execute(dbOf(em))).rows[0],
  );
  let seq = Number(head?.seq ?? 0) + 1;
  let prevHash = head?.hash ?? GENESIS_HASH;
  const now = Date.now();
  const started = Date.now();
  await withTenantAsOwner(orm, tenantId, async (em) => {
    for (const [i, id] of BRANCHES.entries()) {
      await sql`insert into branches (tenant_id, id, name, status, provisioned_at, name_at, updated_at)
        values (${tenantId}, ${id}, ${`Branch ${i + 1}`}, 'ACTIVE', now(), now(), now()) on conflict do nothing`.execute(dbOf(em));
    }
  });
  // one connection, one transaction per batch. PostgreSQL refuses COPY into a table under row-level
  // security, so rows are copied into a temporary table and moved with one INSERT (triggers and RLS apply).
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const copyBatch = async (lines: string[], last: { seq: number; hash: string }) => {
    await client.query('begin');
    await client.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
    await client.query('create temporary table seed_rows (like audit_events) on commit drop');
    await pipeline(Readable.from(lines), client.query(copyFrom(`copy seed_rows (${COPY_COLUMNS}) from stdin with (format csv)`)));
    await client.query(`insert into audit_events (${COPY_COLUMNS}) select ${COPY_COLUMNS} from seed_rows`);
    await client.query(
      `insert into chain_heads (tenant_id, seq, hash, updated_at) values ($1, $2, $3, now())
      on conflict (tenant_id) do update set seq = excluded.seq, hash = excluded.hash, updated_at = now()`,
      [tenantId, last.seq, last.hash],
    );
    await client.query('commit');
  };
  try {
    let pending: Promise<void> | undefined;
    let waited = 0; // time the generator stood waiting for PostgreSQL: tells which side bounds seeding
    for (let done = 0; done < TOTAL; done += BATCH) {
      const rows = batchRows(tenantId, seq, Math.min(BATCH, TOTAL - done), prevHash, now); // built while the previous batch is copied
      const last = rows.at(-1)!;
      const lines = rows.map(toCsvLine);
      const w = performance.now();
      await pending;
      waited += performance.now() - w;
      pending = copyBatch(lines, last);
      seq = last.seq + 1;
      prevHash = last.hash;
      if ((done / BATCH) % 10 === 0) console.error(`${done + rows.length} / ${TOTAL} events, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    await pending;
    console.error(`seeded ${TOTAL} events in ${((Date.now() - started) / 1000).toFixed(0)} s (${(waited / 1000).toFixed(0)} s of it waiting for PostgreSQL)`);
  } finally {
    await client.end();
  }
}

/** First page (50) of each filter as the API runs it: as the runtime role, under RLS, median of 5 runs. */
async function explainAll(orm: Orm, tenantId: string, out: string): Promise<void> {
  await withTenantAsOwner(orm, tenantId, async (em) => {
    await sql`analyze audit_events, audit_event_search`.execute(dbOf(em));
  });
  const day = 86_400_000;
  const now = Date.now();
  const cases: [string, TEventsFilter][] = [
    ['no filter', {}],
    ['date range (last 7 days)', { from: new Date(now - 7 * day).toISOString(), to: new Date(now).toISOString() }],
    ['date range (a week a year ago)', { from: new Date(now - 300 * day).toISOString(), to: new Date(now - 293 * day).toISOString() }],
    ['branch', { branchIds: [BRANCHES[3]!] }],
    ['module', { modules: ['POLICY'] }],
    ['action', { actions: ['API_KEY_REVOKED'] }],
    ['actor', { actorIds: ['user-42'] }],
    ['outcome', { outcomes: ['FAILED'] }],
    ['reason', { reasons: ['PERMISSION_DENIED'] }],
    ['entity (type + id)', { entityType: 'RECORD', entityId: 'rec-4242' }],
    ['session', { sessionId: 'sess-1234' }],
    ['search, rare term (entity label "#4321")', { search: '#4321' }],
    ['search, common term (actor name "Gustav")', { search: 'Gustav' }],
    ['search, 1% of rows ("#43")', { search: '#43' }],
    ['search + actor (no match)', { search: '#4321', actorIds: ['user-42'] }],
    ['two actions', { actions: ['API_KEY_REVOKED', 'POLICY_UPDATED'] }],
    ['actor + date range (30 days)', { actorIds: ['user-42'], from: new Date(now - 60 * day).toISOString(), to: new Date(now - 30 * day).toISOString() }],
    ['branch + outcome', { branchIds: [BRANCHES[5]!], outcomes: ['REJECTED'] }],
    ['action + outcome', { actions: ['MENU_ITEM_UPDATED'], outcomes: ['FAILED'] }],
  ];
  const head = await withTenant(orm, tenantId, async (em) =>
    Number((await sql<{ seq: string }>`select seq from chain_heads where tenant_id = ${tenantId}`.execute(dbOf(em))).rows[0]!.seq),
  );
  const lines: string[] = [];
  const table: string[] = ['| filter (first page, 50 rows) | rows | median execution | plan |', '|---|---:|---:|---|'];
  for (const [name, filter] of cases) {
    const runs: { ms: number; plan: string[] }[] = [];
    for (let r = 0; r < 5; r++) {
      // as findEvents does it: a search first probes the trigram index (searchCandidates), then reads the page
      const { ms, plan } = await withTenant(orm, tenantId, async (em) => {
        const started = performance.now();
        const q = await prepareEventsPage(dbOf(em), tenantId, { ...filter, limit: 50 }, filter.search ? head : undefined);
        const probeMs = performance.now() - started;
        const lines = (await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers, costs off) ${q}`.execute(dbOf(em))).rows.map((x) => x['QUERY PLAN']);
        const exec = Number(/Execution Time: ([\d.]+) ms/.exec(lines.join('\n'))?.[1]);
        return { ms: exec + (filter.search ? probeMs : 0), plan: filter.search ? [...lines, `Search probe (round trip): ${probeMs.toFixed(3)} ms`] : lines };
      });
      runs.push({ ms, plan });
    }
    runs.sort((a, b) => a.ms - b.ms);
    const median = runs[2]!;
    const rows = Number(/Limit \(actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/.exec(median.plan.join('\n'))?.[1] ?? NaN);
    const access =
      median.plan
        .find((l) => /(Index|Seq Scan|Bitmap).* on audit_events(_p\d+)? /.test(l))
        ?.trim()
        .replace(/\s+\(actual.*$/, '')
        .replace(/^->\s*/, '') ?? '';
    table.push(`| ${name} | ${rows} | ${median.ms.toFixed(2)} ms | ${access.replaceAll('|', '\\|')} |`);
    lines.push(`### ${name}\n\n\`\`\`\n${median.plan.join('\n')}\n\`\`\`\n`);
    console.error(`${name}: ${median.ms.toFixed(2)} ms`);
  }
  // insights.failedLogins over the whole year: the failures around the dense hours of login_failure_counts
  const insightRuns: number[] = [];
  let accounts = 0;
  for (let r = 0; r < 5; r++) {
    const started = performance.now();
    accounts = (await findFailedLogins(orm, tenantId, { windowMinutes: 60, threshold: 5 })).length;
    insightRuns.push(performance.now() - started);
  }
  insightRuns.sort((a, b) => a - b);
  const insightPlan = await withTenant(orm, tenantId, async (em) =>
    (
      await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers, costs off) ${failedLoginsQuery(tenantId, { windowMinutes: 60, threshold: 5 })}`.execute(
        dbOf(em),
      )
    ).rows.map((x) => x['QUERY PLAN']),
  );
  lines.push(`### insights.failedLogins (all time, 60-minute windows, threshold 5)\n\n\`\`\`\n${insightPlan.join('\n')}\n\`\`\`\n`);
  const failures = await withTenant(orm, tenantId, async (em) =>
    Number(
      (await sql<{ n: string }>`select count(*) as n from audit_events where tenant_id = ${tenantId} and action = 'LOGIN_FAILED'`.execute(dbOf(em))).rows[0]!.n,
    ),
  );
  table.push(
    '',
    `\`insights.failedLogins\` (no date range: every one of the ${failures.toLocaleString('en')} LOGIN_FAILED of the year, 60-minute windows, ${accounts} accounts reported): median ${insightRuns[2]!.toFixed(1)} ms end to end.`,
  );
  const total = await withTenant(orm, tenantId, async (em) =>
    Number((await sql<{ n: string }>`select count(*) as n from audit_events where tenant_id = ${tenantId}`.execute(dbOf(em))).rows[0]!.n),
  );
  writeFileSync(
    out,
    `# Read API at ${total.toLocaleString('en')} events in one tenant

Generated by \`pnpm exec tsx scripts/seed-events.ts --events ${total} --explain ${out}\` on ${new Date().toISOString().slice(0, 10)}
(PostgreSQL 15, ${(await import('node:os')).cpus().length} cores). Each statement is exactly what \`events.list\` runs for its first
page (\`limit 51\`: one more row tells whether a next page exists; a search adds its probe of the trigram index, timed with it), inside \`withTenant\` as the runtime role
\`modula_audit_app\` under row-level security; median of 5 runs, warm cache. Events span one year; 20 branches,
500 actors, 2000 sessions, 10 000 entities; 5% arrive late from offline tills.

${table.join('\n')}

## Plans

${lines.join('\n')}`,
  );
}

/** Drops the search table's trigram index (the owner's URL) and returns its definition, to build it again. */
async function dropSearchIndex(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const def = (await client.query<{ def: string }>(`select pg_get_indexdef('audit_event_search_trgm'::regclass) as def`)).rows[0]!.def;
    await client.query('drop index audit_event_search_trgm');
    console.error('search index dropped until the end of seeding');
    return def;
  } finally {
    await client.end();
  }
}

async function buildIndex(url: string, definition: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = Date.now();
    await client.query(`set maintenance_work_mem = '1GB'`);
    // pg_get_indexdef of a partitioned table's index says `ON ONLY`, which builds an empty, invalid
    // parent index and none on the partitions (seen at 10M: "built in 0 s", searches by seq scan)
    await client.query(definition.replace(/ ON ONLY /, ' ON '));
    console.error(`search index built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await client.end();
  }
}

async function main() {
  let url = process.env.DATABASE_URL;
  let stop: (() => Promise<void>) | undefined;
  let dir: string | undefined;
  if (!url) {
    dir = mkdtempSync(join(tmpdir(), 'modula-seed-'));
    chmodSync(dir, 0o755);
    const pg = await startPostgres({ dataDir: join(dir, 'postgres'), port: await findFreePort(), fsync: false, database: 'modula_seed' });
    url = pg.url;
    stop = () => pg.stop();
  }
  try {
    await migrate(url);
    const orm = await createOrm({ url, poolMax: 4 });
    try {
      const tenantId = values.tenant ?? (await createTenant(orm, 'Seeded tenant')).tenantId;
      console.error(`tenant ${tenantId}`);
      const searchIndex = values['defer-search-index'] ? await dropSearchIndex(url) : undefined;
      await seed(orm, url, tenantId);
      if (searchIndex) await buildIndex(url, searchIndex);
      if (values.explain) await explainAll(orm, tenantId, values.explain);
    } finally {
      await orm.close();
    }
  } finally {
    await stop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
