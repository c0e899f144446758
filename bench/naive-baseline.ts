import { createOrm, withTenant, AuditEvent } from '@modula/db';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { v7 as uuidv7 } from 'uuid';
import { generateStoredRows } from './stored-rows.ts';

/**
 * What a user might write instead: one BullMQ job per event and one ORM insert (em.insert) per
 * job, no batching. Rows are prepared up front (hashing is not what this measures).
 */
let naiveRuns = 0;

export async function measureNaive(databaseUrl: string, redisUrl: string, tenantId: string, events: number, concurrency: number): Promise<number> {
  // each run writes its own seq range: the table keeps what earlier runs inserted
  const rows = generateStoredRows(tenantId, events, 1_000_000_000 + naiveRuns++ * events);
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = `naive${Date.now()}`;
  const queue = new Queue('naive', { connection, prefix });
  const orm = await createOrm({ url: databaseUrl, poolMax: concurrency + 2 });
  let done = 0;
  let finished!: () => void;
  let failed!: (err: Error) => void;
  const allDone = new Promise<void>((resolve, reject) => {
    finished = resolve;
    failed = reject;
  });
  allDone.catch(() => {}); // observed below; a failure during enqueueing must not crash the process first
  const worker = new Worker(
    'naive',
    async (job) => {
      const r = job.data as (typeof rows)[number];
      await withTenant(orm, tenantId, (em) =>
        em.insert(AuditEvent, { ...r, occurredAt: new Date(r.occurredAt), receivedAt: new Date(r.receivedAt), id: uuidv7() } as never),
      );
      if (++done === events) finished();
    },
    { connection, prefix, concurrency },
  );
  worker.on('failed', (_job, err) => failed(new Error(`naive insert failed: ${err.message}`)));
  const started = performance.now();
  for (let i = 0; i < rows.length; i += 500)
    await queue.addBulk(rows.slice(i, i + 500).map((r) => ({ name: 'insert', data: r, opts: { removeOnComplete: true } })));
  await allDone;
  const rate = events / ((performance.now() - started) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  await orm.close();
  return rate;
}
