/**
 * Where the end-to-end CPU goes, one side at a time: the server alone accepts N events into Redis
 * (no worker runs, so the jobs wait), then a worker alone stores them (the server idles). Each side's
 * CPU per event is read from /proc while it has the machine nearly to itself, so it is CPU time, not
 * the wall time the V8 profiles count when two cores are shared by five busy processes.
 *
 *   pnpm exec tsx bench/split-stages.ts [events=50000]      (BENCH_PROFILE=DIR adds V8 profiles)
 */
import { createOrm } from '@modula/db';
import { stopProcess } from '@modula/devservers';
import { createTenant } from '@modula/domain';
import { v7 as uuidv7 } from 'uuid';
import { startBenchSystem } from './bench-system.ts';
import { measureCopyLimit } from './copy-limit.ts';
import { CpuMeter, postmasterPid } from './cpu-accounting.ts';
import { provisionBenchBranches, storedCounter, waitUntilHealthy } from './e2e-http.ts';
import { benchBranchIds, generateEvent } from './generate-events.ts';

const EVENTS = Number(process.argv[2] ?? 50_000);
async function main() {
  const system = await startBenchSystem('split', { WORKER_CONCURRENCY: '8' });
  const { pg, redis, baseUrl } = system;
  try {
    const orm = await createOrm({ url: pg.url });
    const tenants = await Promise.all(Array.from({ length: 10 }, (_, i) => createTenant(orm, `Split tenant ${i + 1}`)));
    const server = system.spawn('server/src/main.ts');
    let worker = system.spawn('worker/src/main.ts');
    await waitUntilHealthy(baseUrl);
    await provisionBenchBranches(baseUrl, tenants);
    // the worker stops: the server's jobs wait in Redis
    await stopProcess(worker, 'SIGTERM', 30_000);
    const batches = Array.from({ length: Math.ceil(EVENTS / 1000) }, (_, b) => {
      const tenant = tenants[b % tenants.length]!;
      const branches = benchBranchIds(tenant.tenantId);
      const body = JSON.stringify({
        events: Array.from({ length: Math.min(1000, EVENTS - b * 1000) }, (_, i) => generateEvent(tenant.tenantId, uuidv7(), b * 1000 + i, branches)),
      });
      return { apiKey: tenant.apiKey, body };
    });
    const sources = { postmaster: postmasterPid(pg.clusterDir), redis: redis.pid, server: [server.pid!], worker: [] as number[] };
    // the machine's own limit in the same run, as pnpm bench measures it: COPY into the same tables
    const copying = new CpuMeter(sources);
    const copyPerSecond = await measureCopyLimit(pg.superuserUrl.replace(/\/postgres$/, '/modula_audit'), EVENTS, 8, copying);
    const accepting = new CpuMeter(sources);
    accepting.start();
    let t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < batches.length) {
          const { apiKey, body } = batches[next++]!;
          const res = await fetch(`${baseUrl}/trpc/ingest.batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
            body,
          });
          if (!res.ok) throw new Error(`refused: ${res.status} ${(await res.text()).slice(0, 200)}`);
          await res.arrayBuffer();
        }
      }),
    );
    const acceptSeconds = (performance.now() - t0) / 1000;
    accepting.stop(EVENTS);
    const base = await storedCounter(baseUrl);
    worker = system.spawn('worker/src/main.ts');
    sources.worker = [worker.pid!];
    // the worker's start-up is not its ingest cost: wait until it has stored its first event
    while ((await storedCounter(baseUrl)) === base) await new Promise((r) => setTimeout(r, 20));
    const storing = new CpuMeter(sources);
    const first = (await storedCounter(baseUrl)) - base;
    storing.start();
    t0 = performance.now();
    while ((await storedCounter(baseUrl)) - base < EVENTS) await new Promise((r) => setTimeout(r, 100));
    const storeSeconds = (performance.now() - t0) / 1000;
    storing.stop(EVENTS - first);
    const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));
    console.log(
      JSON.stringify(
        {
          events: EVENTS,
          copyLimit: { perSecond: Math.round(copyPerSecond), cpuPerEventUs: round(copying.perEvent()), coresBusy: +copying.coresBusy().toFixed(2) },
          accept: { perSecond: Math.round(EVENTS / acceptSeconds), cpuPerEventUs: round(accepting.perEvent()), coresBusy: +accepting.coresBusy().toFixed(2) },
          store: {
            perSecond: Math.round((EVENTS - first) / storeSeconds),
            ofCopyLimit: +((EVENTS - first) / storeSeconds / copyPerSecond).toFixed(2),
            cpuPerEventUs: round(storing.perEvent()),
            postgresByClientUs: round(storing.postgresPerEvent()),
            coresBusy: +storing.coresBusy().toFixed(2),
          },
        },
        null,
        1,
      ),
    );
    await orm.close();
  } finally {
    await system.stop();
  }
}

await main();
process.exit(0);
