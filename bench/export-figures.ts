/**
 * Exports and integrity figures, shared by `pnpm bench` (bench/run.ts) and bench/integrity.ts:
 * seed one tenant's chain by COPY, then time `export create` in its own process (as an operator
 * or the worker runs it) and read that process's own peak resident memory (VmHWM).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AUDIT_EVENT_FIELDS, AUDIT_EVENT_RECORD_SELECT_LIST, type Orm } from '@modula/db';
import { createCheckpoint, createTenant, GENESIS_HASH, loadSigner, publishSigningKey, recordBytesColumns, verifyChain } from '@modula/domain';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { repeat, summary, type TMinMedianMax } from './stats.ts';
import { COPY_COLUMNS, generateStoredRows, toCsvLine } from './stored-rows.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/src/main.ts');
const PEAK_RSS = join(import.meta.dirname, 'peak-rss.mjs');

/**
 * Seeds `count` chained events into one tenant by COPY (as the superuser: row-level security refuses
 * COPY into audit_events), building the next 20,000 rows while PostgreSQL copies the previous ones.
 * Triggers are off for this session (`session_replication_role = replica`) unless `triggers` is
 * set: the insert triggers feed the search table's trigram index and the viewer's counts, which no
 * export, checkpoint or verification reads, and they made seeding five times slower. Returns the
 * time it took; the log is vacuumed and analysed as a settled log would be.
 */
export async function seedChain(
  superuserUrl: string,
  tenantId: string,
  count: number,
  log: (m: string) => void = () => {},
  opts: { triggers?: boolean } = {},
): Promise<number> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    // `triggers: true` fills the search table and the viewer's counts as storing does (a small seed that a test reads through them)
    if (!opts.triggers) await client.query(`set session_replication_role = replica`);
    let prev = GENESIS_HASH;
    let pending: Promise<void> | undefined;
    const chunk = 20_000;
    for (let start = 1; start <= count; start += chunk) {
      const rows = generateStoredRows(tenantId, Math.min(chunk, count - start + 1), start, prev);
      prev = rows.at(-1)!.hash;
      const lines = rows.map(toCsvLine);
      await pending;
      pending = pipeline(Readable.from(lines), client.query(copyFrom(`copy audit_events (${COPY_COLUMNS}) from stdin with (format csv)`)));
      if (((start - 1) / chunk) % 10 === 0) log(`seeded ${start - 1 + rows.length} / ${count} events, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
    await pending;
    await client.query(
      `insert into chain_heads (tenant_id, seq, hash, updated_at) values ($1, $2, $3, now())
      on conflict (tenant_id) do update set seq = excluded.seq, hash = excluded.hash, updated_at = now()`,
      [tenantId, count, prev],
    );
    await client.query('vacuum analyze audit_events');
  } finally {
    await client.end();
  }
  return (performance.now() - started) / 1000;
}

export interface TProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** The process's own VmHWM (peak resident set), MiB. */
  peakRssMiB: number;
}

/** Runs the CLI in its own Node process (tsx, as `pnpm cli` does) and reads its peak RSS from /proc at exit. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<TProcessRun> {
  const rssFile = join(env.DATA_DIR ?? '/tmp', `peak-rss-${process.pid}-${Date.now()}.txt`);
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', PEAK_RSS, '--import', 'tsx', CLI, ...args], {
      env: { ...env, PEAK_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20_000);
    });
    child.on('error', fail);
    child.on('close', (code) => {
      let peakRssMiB = 0;
      try {
        peakRssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
        rmSync(rssFile);
      } catch {
        /* the process died before writing it */
      }
      done({ code, stdout, stderr, seconds: (performance.now() - started) / 1000, peakRssMiB });
    });
  });
}

export interface TExportRun {
  format: string;
  rows: number;
  bytes: number;
  /** Wall time of the whole `export create` process (start, tsx, connect, build, sign). */
  seconds: number;
  peakRssMiB: number;
  verifySeconds: number;
  verified: boolean;
}

/** One `export create` of the whole tenant, then `verify-export` of the pack it wrote (the pack is removed after). */
export async function measureExport(env: NodeJS.ProcessEnv, tenantId: string, format: 'csv' | 'pdf', nodeArgs: string[] = []): Promise<TExportRun> {
  const run = await runCli(['export', 'create', '--tenant', tenantId, '--format', format], env, nodeArgs);
  if (run.code !== 0) throw new Error(`export create ${format} exited ${run.code}: ${run.stderr.slice(-2000)}`);
  const manifest = JSON.parse(run.stdout) as { rows: number; bytes: number; path: string };
  const verify = await runCli(['verify-export', manifest.path], env);
  const size = statSync(manifest.path).size;
  rmSync(manifest.path, { force: true });
  return {
    format,
    rows: manifest.rows,
    bytes: size,
    seconds: run.seconds,
    peakRssMiB: run.peakRssMiB,
    verifySeconds: verify.seconds,
    verified: verify.code === 0,
  };
}

/** Peak RSS of a CLI process that loads everything `export create` loads and then stops (no tenant given): the floor under any export. */
export async function idleCliRss(env: NodeJS.ProcessEnv): Promise<number> {
  return (await runCli(['export', 'create'], env)).peakRssMiB;
}

export interface TFormatFigures {
  runs: number;
  rows: number;
  bytes: number;
  seconds: TMinMedianMax;
  peakRssMiB: TMinMedianMax;
  /** One more run with a small V8 young generation (`--max-semi-space-size=4`), as a worker could be started. */
  smallYoungGenPeakRssMiB: number;
  verifyExportSeconds: TMinMedianMax;
}

export interface TExportFigures {
  events: number;
  seedSeconds: number;
  /** verify-chain with its default threads, a signed checkpoint at the head (its chain hash and Merkle root recomputed). */
  verifyChainPerSecond: TMinMedianMax;
  /** verify-chain on the snapshot's one connection (threads: 1), for comparison. */
  verifyChainOneThreadPerSecond: TMinMedianMax;
  /** PostgreSQL streaming the rows as the single walk selects them (text COPY of the record's select list, discarded). */
  copyOutPerSecond: TMinMedianMax;
  /** PostgreSQL streaming the rows as the verifying threads read them (binary COPY of the raw columns, discarded): their ceiling. */
  copyOutBinaryPerSecond: TMinMedianMax;
  /** The first checkpoint of the whole log (verifies and hashes every event); the exports then reuse it. */
  firstCheckpointSeconds: number;
  /** Peak RSS of a CLI process that loads what `export create` loads and stops: the floor under every figure below. */
  idleCliPeakRssMiB: number;
  csv?: TFormatFigures;
  pdf?: TFormatFigures;
}

interface TExportBenchOptions {
  orm: Orm;
  /** The database owner's URL (what the CLI is given) and the superuser's, on the application database. */
  url: string;
  superuserUrl: string;
  redisUrl: string;
  dataDir: string;
  events: number;
  runs: number;
  pdfRuns: number;
  formats?: ('csv' | 'pdf')[];
  log?: (m: string) => void;
}

/**
 * How fast PostgreSQL alone streams a tenant's rows to a client that discards them: `text` as the
 * single walk selects them, `binary` as the verifying threads do (record-bytes.ts).
 */
async function copyOutRate(superuserUrl: string, tenantId: string, events: number, form: 'text' | 'binary'): Promise<number> {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    const t = performance.now();
    const stream = client.query(
      copyTo(
        form === 'text'
          ? `copy (select ${AUDIT_EVENT_RECORD_SELECT_LIST} from audit_events where tenant_id = '${tenantId}' order by seq) to stdout`
          : `copy (select ${recordBytesColumns(AUDIT_EVENT_FIELDS).join(', ')} from audit_events where tenant_id = '${tenantId}' order by seq) to stdout with (format binary)`,
      ),
    );
    for await (const _chunk of stream) {
      /* discarded */
    }
    return events / ((performance.now() - t) / 1000);
  } finally {
    await client.end();
  }
}

/** Section 5 of `pnpm bench`: one tenant of `events` chained events; verify-chain over it, then CSV and PDF packs of all of it. */
export async function measureExportFigures(o: TExportBenchOptions): Promise<TExportFigures> {
  const log = o.log ?? (() => {});
  const { tenantId } = await createTenant(o.orm, 'Export benchmark');
  log(`exports: seeding ${o.events} chained events by COPY`);
  const seedSeconds = await seedChain(o.superuserUrl, tenantId, o.events, log);
  // the owner publishes the key (the runtime may not), as `cli migrate` does
  await publishSigningKey(o.url, loadSigner({ DATA_DIR: o.dataDir }));
  log(`exports: seeded in ${seedSeconds.toFixed(1)} s; the first checkpoint`);
  let t = performance.now();
  await createCheckpoint(o.orm, loadSigner({ DATA_DIR: o.dataDir }), tenantId);
  const firstCheckpointSeconds = (performance.now() - t) / 1000;
  // as on a live log, verify-chain finds a signed checkpoint at the head: it also recomputes its Merkle root
  log(`exports: verify-chain × ${o.runs}`);
  const verifyRate = (threads?: number) => async () => {
    const t = performance.now();
    const r = await verifyChain(o.orm, tenantId, threads === undefined ? {} : { threads });
    if (!r.ok || r.checkpointsChecked !== 1) throw new Error(`chain broken at ${r.firstBrokenSeq}, or its checkpoint not compared`);
    return r.checked / ((performance.now() - t) / 1000);
  };
  const verifyChainPerSecond = summary(await repeat(o.runs, verifyRate()));
  const verifyChainOneThreadPerSecond = summary(await repeat(o.runs, verifyRate(1)));
  log(`exports: PostgreSQL streaming the same rows (COPY TO) × ${o.runs}`);
  const copyOutPerSecond = summary(await repeat(o.runs, () => copyOutRate(o.superuserUrl, tenantId, o.events, 'text')));
  const copyOutBinaryPerSecond = summary(await repeat(o.runs, () => copyOutRate(o.superuserUrl, tenantId, o.events, 'binary')));
  const env = { ...process.env, DATABASE_URL: o.url, REDIS_URL: o.redisUrl, DATA_DIR: o.dataDir, LOG_LEVEL: 'silent' };
  const idleCliPeakRssMiB = await idleCliRss(env);
  const figures: TExportFigures = {
    events: o.events,
    seedSeconds,
    verifyChainPerSecond,
    verifyChainOneThreadPerSecond,
    copyOutPerSecond,
    copyOutBinaryPerSecond,
    firstCheckpointSeconds,
    idleCliPeakRssMiB,
  };
  for (const format of o.formats ?? ['csv', 'pdf']) {
    const runs = format === 'pdf' ? o.pdfRuns : o.runs;
    log(`exports: ${format.toUpperCase()} of ${o.events} events × ${runs} (+1 with a small young generation)`);
    t = performance.now();
    const measured = await repeat(runs, () => measureExport(env, tenantId, format));
    const small = await measureExport(env, tenantId, format, ['--max-semi-space-size=4']);
    if (![...measured, small].every((m) => m.verified && m.rows === o.events)) throw new Error(`a ${format} pack did not verify or missed rows`);
    figures[format] = {
      runs,
      rows: measured[0]!.rows,
      bytes: measured[0]!.bytes,
      seconds: summary(measured.map((m) => m.seconds)),
      peakRssMiB: summary(measured.map((m) => m.peakRssMiB)),
      smallYoungGenPeakRssMiB: small.peakRssMiB,
      verifyExportSeconds: summary(measured.map((m) => m.verifySeconds)),
    };
    log(
      `exports: ${format} median ${figures[format]!.seconds.median.toFixed(1)} s, peak RSS ${figures[format]!.peakRssMiB.median.toFixed(0)} MiB (${((performance.now() - t) / 1000).toFixed(0)} s in all)`,
    );
  }
  return figures;
}
