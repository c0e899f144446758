import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '@modula/config';
import { createOrm } from '@modula/db';
import { createTenant, verifyChain } from '@modula/domain';
import { createServices, createSystemCaller } from '@modula/server';
import { startBenchSystem } from './bench-system.ts';
import { measureCopyLimit } from './copy-limit.ts';
import { CpuMeter, cpuTotal, postmasterPid, type TCpuSnapshot, type TPostgresShare } from './cpu-accounting.ts';
import { measureHttpIngest, waitUntilHealthy } from './e2e-http.ts';
import { measureExportFigures, type TExportFigures } from './export-figures.ts';
import { measureCallerLatency } from './in-process-latency.ts';
import { measureNaive } from './naive-baseline.ts';
import { measureReads, seedTenant } from './reads.ts';
import { repeat, summary, type TMinMedianMax } from './stats.ts';
import { measureStreamLag, type TStreamLag } from './stream-lag.ts';
import { measureViewerFigures, prepareViewerBuild, type TViewerFigures, viewerRows } from './viewer.ts';

const ROOT = resolve(import.meta.dirname, '..');
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const NAIVE_EVENTS = Number(process.env.BENCH_NAIVE_EVENTS ?? 5000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const READ_EVENTS = Number(process.env.BENCH_READ_EVENTS ?? 2_000_000);
const CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 8);
const EXPORT_EVENTS = Number(process.env.BENCH_EXPORT_EVENTS ?? 1_000_000);
const EXPORT_RUNS = Number(process.env.BENCH_EXPORT_RUNS ?? RUNS);
const PDF_RUNS = Number(process.env.BENCH_PDF_RUNS ?? 1);
const VIEWER_EVENTS = Number(process.env.BENCH_VIEWER_EVENTS ?? 1_000_000);
const STREAM_RATE = Number(process.env.BENCH_STREAM_RATE ?? 1000);
const STREAM_SECONDS = Number(process.env.BENCH_STREAM_SECONDS ?? 20);
const STREAM_BATCH = Number(process.env.BENCH_STREAM_BATCH ?? 100);

const log = (msg: string) => console.error(`[bench] ${msg}`);

async function main() {
  const system = await startBenchSystem('bench', {
    WORKER_CONCURRENCY: String(CONCURRENCY),
    // the stream-lag receiver listens on this host over http://
    STREAM_ALLOW_HTTP: 'true',
    STREAM_ALLOW_PRIVATE_ADDRESSES: 'true',
  });
  const { pg, redis, dir, env, baseUrl } = system;
  try {
    const orm = await createOrm({ url: pg.url });
    // the server serves web/dist if it exists when it starts
    if (VIEWER_EVENTS > 0) await prepareViewerBuild(log);
    const tenants = await Promise.all(Array.from({ length: 10 }, (_, i) => createTenant(orm, `Bench tenant ${i + 1}`)));
    const pids = { server: [] as number[], worker: [] as number[] };
    pids.server.push(system.spawn('server/src/main.ts').pid!);
    for (let w = 0; w < WORKERS; w++) pids.worker.push(system.spawn('worker/src/main.ts').pid!);
    const cpuSources = { postmaster: postmasterPid(pg.clusterDir), redis: redis.pid, ...pids };
    const copyCpu = new CpuMeter(cpuSources);
    const httpCpu = new CpuMeter(cpuSources);
    await waitUntilHealthy(baseUrl);

    log(`COPY limit: ${EVENTS} rows on ${CONCURRENCY * WORKERS} connections × ${RUNS}`);
    const copy = summary(
      await repeat(RUNS, () => measureCopyLimit(pg.superuserUrl.replace(/\/postgres$/, '/modula_audit'), EVENTS, CONCURRENCY * WORKERS, copyCpu)),
    );
    log(`HTTP ingest: ${EVENTS} events, batches of 1000, 4 clients, 10 tenants × ${RUNS}`);
    const http = summary(await repeat(RUNS, () => measureHttpIngest(baseUrl, tenants, EVENTS, 1000, 4, httpCpu)));

    log('in-process caller: single events at 1000/s for 5 s × runs');
    const services = await createServices(loadConfig(env));
    const caller = createSystemCaller(services);
    const latency = await repeat(RUNS, () => measureCallerLatency(caller, tenants[1]!.tenantId, 1000, 5));
    await services.close();

    let streamLag: TStreamLag | string = 'skipped (BENCH_STREAM_SECONDS=0)';
    if (STREAM_SECONDS > 0) {
      log(`log stream lag: a signed webhook stream, ${STREAM_RATE} events/s for ${STREAM_SECONDS} s`);
      streamLag = await measureStreamLag({
        orm,
        config: loadConfig(env),
        superuserUrl: pg.superuserUrl.replace(/\/postgres$/, '/modula_audit'),
        baseUrl,
        rate: STREAM_RATE,
        seconds: STREAM_SECONDS,
        batch: STREAM_BATCH,
      });
    }

    log(`naive baseline: ${NAIVE_EVENTS} events, one job and one ORM insert each × ${RUNS}`);
    const naive = summary(await repeat(RUNS, () => measureNaive(pg.url, redis.url, tenants[9]!.tenantId, NAIVE_EVENTS, CONCURRENCY)));

    log('verify-chain of the largest tenant');
    const verify = summary(
      await repeat(RUNS, async () => {
        const t = performance.now();
        const r = await verifyChain(orm, tenants[0]!.tenantId);
        if (!r.ok) throw new Error(`chain broken at ${r.firstBrokenSeq}`);
        return r.checked / ((performance.now() - t) / 1000);
      }),
    );
    let reads: Record<string, { p50: number; p95: number }> | string = 'skipped (BENCH_READ_EVENTS=0)';
    if (READ_EVENTS > 0) {
      log(`reads: seeding ${READ_EVENTS} events into one tenant, then first pages p50/p95`);
      const readTenant = await seedTenant(orm, pg.url, READ_EVENTS);
      reads = await measureReads(orm, readTenant);
    }
    let exports: TExportFigures | string = 'skipped (BENCH_EXPORT_EVENTS=0)';
    if (EXPORT_EVENTS > 0) {
      exports = await measureExportFigures({
        orm,
        url: pg.url,
        superuserUrl: pg.superuserUrl.replace(/\/postgres$/, '/modula_audit'),
        redisUrl: redis.url,
        dataDir: join(dir, 'export-data'),
        events: EXPORT_EVENTS,
        runs: EXPORT_RUNS,
        pdfRuns: PDF_RUNS,
        log,
      });
    }
    let viewer: TViewerFigures | string = 'skipped (BENCH_VIEWER_EVENTS=0)';
    if (VIEWER_EVENTS > 0) {
      viewer = await measureViewerFigures({ orm, url: pg.url, baseUrl, dataDir: env.DATA_DIR!, events: VIEWER_EVENTS, runs: RUNS, log });
    }
    await orm.close();

    const result = {
      at: new Date().toISOString(),
      machine: { cores: (await import('node:os')).cpus().length },
      events: EVENTS,
      runs: RUNS,
      copyLimitPerSecond: copy,
      httpIngestPerSecond: http,
      ratioToCopy: { median: http.median / copy.median },
      cpuPerEventUs: { copyLimit: copyCpu.perEvent(), httpIngest: httpCpu.perEvent() },
      postgresPerEventUs: { copyLimit: copyCpu.postgresPerEvent(), httpIngest: httpCpu.postgresPerEvent() },
      coresBusy: { copyLimit: copyCpu.coresBusy(), httpIngest: httpCpu.coresBusy() },
      naivePerSecond: naive,
      ratioToNaive: { median: http.median / naive.median },
      callerAckMs: { p50: summary(latency.map((l) => l.p50)), p99: summary(latency.map((l) => l.p99)) },
      verifyChainPerSecond: verify,
      streamLag,
      readEvents: READ_EVENTS,
      reads,
      exports,
      viewer,
    };
    printTable(result);
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    const file = join(ROOT, 'bench/results', `${result.at.replaceAll(':', '-')}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2));
    log(`saved ${file}`);
  } finally {
    await system.stop();
  }
}

type MMM = TMinMedianMax;
function printTable(r: {
  exports: TExportFigures | string;
  viewer: TViewerFigures | string;
  reads: Record<string, { p50: number; p95: number }> | string;
  readEvents: number;
  copyLimitPerSecond: MMM;
  httpIngestPerSecond: MMM;
  ratioToCopy: { median: number };
  cpuPerEventUs: { copyLimit: TCpuSnapshot; httpIngest: TCpuSnapshot };
  postgresPerEventUs: { copyLimit: TPostgresShare; httpIngest: TPostgresShare };
  coresBusy: { copyLimit: number; httpIngest: number };
  machine: { cores: number };
  naivePerSecond: MMM;
  ratioToNaive: { median: number };
  callerAckMs: { p50: MMM; p99: MMM };
  verifyChainPerSecond: MMM;
  streamLag: TStreamLag | string;
}) {
  const f = (m: MMM, digits = 0) => `${m.min.toFixed(digits)} / ${m.median.toFixed(digits)} / ${m.max.toFixed(digits)}`;
  const rows: [string, string, string][] = [
    ['1. COPY limit (into audit_events: its indexes and the search table)', 'events/s', f(r.copyLimitPerSecond)],
    ['2. HTTP ingest.batch until STORED', 'events/s', f(r.httpIngestPerSecond)],
    ['   ratio to the COPY limit', 'median', `${(r.ratioToCopy.median * 100).toFixed(0)} %`],
    ...cpuRows(r.cpuPerEventUs, r.coresBusy, r.machine.cores),
    ...postgresRows(r.postgresPerEventUs),
    ['   in-process caller, 1k events/s, ack p50', 'ms', f(r.callerAckMs.p50, 1)],
    ['   in-process caller, 1k events/s, ack p99', 'ms', f(r.callerAckMs.p99, 1)],
    ['3. naive: a job + an ORM insert per event', 'events/s', f(r.naivePerSecond)],
    ['   end-to-end ÷ naive', 'median', `${r.ratioToNaive.median.toFixed(1)} ×`],
    ['5. verify-chain', 'events/s', f(r.verifyChainPerSecond)],
  ];
  if (typeof r.streamLag === 'object') {
    const l = r.streamLag;
    const at = `${l.rate.toLocaleString('en')} events/s for ${l.seconds} s, sweep every ${l.pollMs} ms`;
    rows.push([
      `6. log stream (signed webhook), ${at}: stored → delivered`,
      'ms p50 / p99 / max',
      `${l.storeToDeliveryMs.p50.toFixed(0)} / ${l.storeToDeliveryMs.p99.toFixed(0)} / ${l.storeToDeliveryMs.max.toFixed(0)}`,
    ]);
    rows.push([
      '   acknowledged (202) → stored: the ingest pipeline, part of the next row',
      'ms p50 / p99 / max',
      `${l.ackToStoreMs.p50.toFixed(0)} / ${l.ackToStoreMs.p99.toFixed(0)} / ${l.ackToStoreMs.max.toFixed(0)}`,
    ]);
    rows.push([
      '   acknowledged (202) → delivered',
      'ms p50 / p99 / max',
      `${l.ackToDeliveryMs.p50.toFixed(0)} / ${l.ackToDeliveryMs.p99.toFixed(0)} / ${l.ackToDeliveryMs.max.toFixed(0)}`,
    ]);
    rows.push(['   webhook requests; events delivered more than once', 'count', `${l.requests}; ${l.repeats}`]);
  }
  if (typeof r.reads === 'object') {
    for (const [name, v] of Object.entries(r.reads))
      rows.push([`4. read at ${r.readEvents.toLocaleString('en')} events: ${name}`, 'ms p50 / p95', `${v.p50.toFixed(2)} / ${v.p95.toFixed(2)}`]);
  }
  if (typeof r.exports === 'object') {
    const e = r.exports;
    const n = e.events.toLocaleString('en');
    rows.push([`5. verify-chain, ${n} events (export tenant), one thread per core`, 'events/s', f(e.verifyChainPerSecond)]);
    rows.push(['   verify-chain on one connection (threads: 1)', 'events/s', f(e.verifyChainOneThreadPerSecond)]);
    rows.push(['   PostgreSQL streaming the rows as the threads read them (binary COPY TO), their ceiling', 'events/s', f(e.copyOutBinaryPerSecond)]);
    rows.push(['   PostgreSQL streaming the rows as one connection selects them (text COPY TO)', 'events/s', f(e.copyOutPerSecond)]);
    for (const format of ['csv', 'pdf'] as const) {
      const x = e[format];
      if (!x) continue;
      const runs = x.runs === 1 ? ' (1 run: min = median = max)' : ` (${x.runs} runs)`;
      rows.push([`5. ${format.toUpperCase()} export, ${n} events, ${(x.bytes / 1e6).toFixed(0)} MB${runs}`, 's', f(x.seconds, 1)]);
      rows.push([`   ${format.toUpperCase()} export peak RSS (CLI process; idle ${e.idleCliPeakRssMiB.toFixed(0)} MiB)`, 'MiB', f(x.peakRssMiB)]);
      rows.push([`   ${format.toUpperCase()} export peak RSS with --max-semi-space-size=4 (1 run)`, 'MiB', x.smallYoungGenPeakRssMiB.toFixed(0)]);
    }
    rows.push([`   seeding ${n} chained events by COPY; first checkpoint of them`, 's', `${e.seedSeconds.toFixed(1)}; ${e.firstCheckpointSeconds.toFixed(1)}`]);
  }
  if (typeof r.viewer === 'object') rows.push(...viewerRows(r.viewer));
  console.log(`| measure | unit | min / median / max |\n|---|---|---|\n${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}`);
}

/**
 * Where each stored event's CPU went, in the COPY limit and end to end (all runs), and how many of
 * the machine's cores were busy meanwhile: a phase that keeps them all busy is bound by CPU, and goes
 * faster only by spending less CPU per event; one that does not waits on something else (the disk).
 */
function cpuRows(
  c: { copyLimit: TCpuSnapshot; httpIngest: TCpuSnapshot },
  busy: { copyLimit: number; httpIngest: number },
  cores: number,
): [string, string, string][] {
  const parts = Object.keys(c.copyLimit).join(' / ');
  const line = (s: TCpuSnapshot) =>
    `${Object.values(s)
      .map((v) => v.toFixed(0))
      .join(' / ')} = ${cpuTotal(s).toFixed(0)}`;
  return [
    [`   CPU per event in the COPY limit: ${parts}`, 'µs', line(c.copyLimit)],
    [`   CPU per event end to end: ${parts}`, 'µs', line(c.httpIngest)],
    [`   cores busy (CPU ÷ wall time) in the COPY limit; end to end (of ${cores})`, 'cores', `${busy.copyLimit.toFixed(2)}; ${busy.httpIngest.toFixed(2)}`],
  ];
}

/** PostgreSQL's share of the rows above, by who asked for it. */
function postgresRows(p: { copyLimit: TPostgresShare; httpIngest: TPostgresShare }): [string, string, string][] {
  const parts = Object.keys(p.copyLimit).join(' / ');
  const line = (s: TPostgresShare) =>
    Object.values(s)
      .map((v) => v.toFixed(0))
      .join(' / ');
  return [[`   PostgreSQL's CPU per event by who asked, COPY limit; end to end: ${parts}`, 'µs', `${line(p.copyLimit)}; ${line(p.httpIngest)}`]];
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
