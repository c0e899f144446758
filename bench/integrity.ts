/**
 * Exports and integrity figures alone, on a PostgreSQL this script starts itself (fsync off):
 * the same measurement as section 5 of `pnpm bench` (bench/export-figures.ts), without the rest.
 *
 *   pnpm exec tsx bench/integrity.ts [EVENTS]     (default 200000; BENCH_RUNS, BENCH_PDF_RUNS, BENCH_FORMATS=csv,pdf)
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrm, migrate } from '@modula/db';
import { findFreePort, startPostgres } from '@modula/devservers';
import { measureExportFigures } from './export-figures.ts';

const EVENTS = Number(process.argv[2] ?? 200_000);
const dir = mkdtempSync(join(tmpdir(), 'modula-integrity-'));
chmodSync(dir, 0o755);
const log = (m: string) => console.error(`[integrity] ${m}`);

async function main() {
  const server = await startPostgres({ dataDir: join(dir, 'postgres'), port: await findFreePort(), fsync: false });
  try {
    await migrate(server.url);
    const orm = await createOrm({ url: server.url });
    try {
      const figures = await measureExportFigures({
        orm,
        url: server.url,
        superuserUrl: server.superuserUrl.replace(/\/postgres$/, '/modula_audit'),
        redisUrl: 'redis://127.0.0.1:1',
        dataDir: join(dir, 'data'),
        events: EVENTS,
        runs: Number(process.env.BENCH_RUNS ?? 1),
        pdfRuns: Number(process.env.BENCH_PDF_RUNS ?? 1),
        formats: (process.env.BENCH_FORMATS ?? 'csv,pdf').split(',').filter(Boolean) as ('csv' | 'pdf')[],
        log,
      });
      console.log(JSON.stringify(figures, null, 2));
    } finally {
      await orm.close();
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
await main();
