/**
 * Where one verified row's CPU goes (README "Benchmarks", verify-chain): on a PostgreSQL this
 * script starts itself, one tenant of EVENTS chained events; then, per row,
 * - PostgreSQL's CPU streaming it as the verifying threads read it (binary COPY of the raw
 *   columns), read from /proc for its backend;
 * - Node's CPU receiving it through pg-copy-streams (process.cpuUsage, user and system);
 * - in memory, over the same bytes, what a thread does with it: build its record text, check its
 *   hash (RecordBytes#verifiedDigest), and grow its part of the Merkle tree (BlockStack).
 *
 *   pnpm exec tsx bench/verify-row-cost.ts [EVENTS]     (default 300000; Linux: reads /proc)
 *
 * Run it on a quiet machine: each figure is the lowest of three rounds.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_EVENT_FIELDS, createOrm, migrate } from '@modula/db';
import { findFreePort, startPostgres } from '@modula/devservers';
import { createTenant, recordBytesColumns } from '@modula/domain';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { BlockStack, leafHash } from '../packages/domain/src/integrity/merkle.ts';
import { processCpuMs } from './cpu-accounting.ts';
import { BinaryCopyRows, RECORD_BYTES_FIELD_COUNT, RecordBytes, type TRowFields } from '../packages/domain/src/integrity/record-bytes.ts';
import { seedChain } from './export-figures.ts';

const EVENTS = Number(process.argv[2] ?? 300_000);
const ROUNDS = 3;
const dir = mkdtempSync(join(tmpdir(), 'modula-row-cost-'));
chmodSync(dir, 0o755);

/** A backend's CPU time so far, in µs (utime + stime, in clock ticks of 10 ms). */
const backendMicros = (pid: number): number => processCpuMs(pid) * 1000;

async function streamOnce(superuserUrl: string, sql: string): Promise<{ postgres: number; nodeUser: number; nodeSystem: number; chunks: Buffer[] }> {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const backendBefore = backendMicros(pid);
    const nodeBefore = process.cpuUsage();
    const chunks: Buffer[] = [];
    for await (const chunk of client.query(copyTo(sql)) as AsyncIterable<Buffer>) chunks.push(chunk);
    const node = process.cpuUsage(nodeBefore);
    return { postgres: backendMicros(pid) - backendBefore, nodeUser: node.user, nodeSystem: node.system, chunks };
  } finally {
    await client.end();
  }
}

/** The µs per row of `perRow` over every row of `chunks`, fed as the stream delivered them. */
function inMemory(chunks: Buffer[], perRow: (row: TRowFields) => void): number {
  const rows = new BinaryCopyRows(RECORD_BYTES_FIELD_COUNT);
  const started = performance.now();
  for (const chunk of chunks)
    rows.push(chunk, (row) => {
      perRow(row);
      return true;
    });
  return ((performance.now() - started) * 1000) / EVENTS;
}

async function main() {
  const server = await startPostgres({ dataDir: join(dir, 'postgres'), port: await findFreePort(), fsync: false });
  try {
    await migrate(server.url);
    const orm = await createOrm({ url: server.url });
    const { tenantId } = await createTenant(orm, 'Row cost');
    await orm.close();
    const superuserUrl = server.superuserUrl.replace(/\/postgres$/, '/modula_audit');
    await seedChain(superuserUrl, tenantId, EVENTS);
    const sql = `copy (select ${recordBytesColumns(AUDIT_EVENT_FIELDS).join(', ')} from audit_events where tenant_id = '${tenantId}' order by seq)
      to stdout with (format binary)`;
    const best: Record<string, number> = {};
    const keep = (name: string, micros: number) => {
      best[name] = Math.min(best[name] ?? Number.POSITIVE_INFINITY, micros);
    };
    for (let round = 0; round < ROUNDS; round++) {
      const s = await streamOnce(superuserUrl, sql);
      keep('PostgreSQL streaming it (binary COPY)', s.postgres / EVENTS);
      keep('Node receiving it (pg-copy-streams), user', s.nodeUser / EVENTS);
      keep('Node receiving it (pg-copy-streams), system', s.nodeSystem / EVENTS);
      const records = new RecordBytes();
      // in memory, each figure includes the ones above it
      keep(
        'in memory: the stream split into rows',
        inMemory(s.chunks, () => {}),
      );
      keep(
        '  + each record text built and its hash checked',
        inMemory(s.chunks, (row) => records.verifiedDigest(row)),
      );
      const stack = new BlockStack();
      keep(
        '  + the Merkle tree grown (leaf, subtrees)',
        inMemory(s.chunks, (row) => {
          const digest = records.verifiedDigest(row);
          if (digest) stack.push(records.seq(row) - 1, leafHash(digest));
        }),
      );
    }
    console.log(`µs per row, ${EVENTS} rows, lowest of ${ROUNDS} rounds:`);
    for (const [name, micros] of Object.entries(best)) console.log(`  ${name.padEnd(50)} ${micros.toFixed(2)}`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
await main();
