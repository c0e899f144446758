/**
 * The CPU each in-memory stage of the ingest pipeline spends per event, on one core, nothing else
 * in the way (no sockets, no PostgreSQL, no Redis): what the V8 profiles of docs/ingest-profile.md
 * cannot give, because they count time spent descheduled as busy. Batches of 1000 generated events
 * (bench/generate-events.ts, as `pnpm bench` sends them), each stage run over the previous stage's
 * output, the lowest of ROUNDS rounds.
 *
 *   pnpm exec tsx bench/pipeline-stages.ts [ROUNDS]     (default 5)
 */
import { ZAuditEventInput, type TAcceptedEvent } from '@modula/contracts';
import { AUDIT_EVENT_COLUMNS, auditEventColumnsOf } from '@modula/db';
import { GENESIS_HASH, judgeEvents, readJobEvents } from '@modula/domain';
import { v7 as uuidv7 } from 'uuid';
import { buildStoredRow, canonicalMembersOf, contentHashOf } from '../packages/domain/src/ingest/event-row.ts';
import { redactEvent } from '../packages/domain/src/ingest/redaction.ts';
import { benchBranchIds, generateEvent } from './generate-events.ts';

const ROUNDS = Number(process.argv[2] ?? 5);
const BATCH = 1000;
const BATCHES = 20;
const tenantId = uuidv7();
const branches = benchBranchIds(tenantId);
const bodies = Array.from({ length: BATCHES }, () =>
  JSON.stringify({ events: Array.from({ length: BATCH }, (_, i) => generateEvent(tenantId, uuidv7(), i, branches)) }),
);
const principal = { kind: 'apiKey', tenantId, apiKeyId: uuidv7(), scope: 'platform' } as const;

/** µs of CPU per event (user + system) that `stage` takes over every batch. */
function cost<T, U>(inputs: T[], stage: (input: T) => U): { micros: number; outputs: U[] } {
  let best = Number.POSITIVE_INFINITY;
  let outputs: U[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = process.cpuUsage();
    outputs = inputs.map(stage);
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / (inputs.length * BATCH));
  }
  return { micros: best, outputs };
}

const rows: [string, number][] = [];
const measure = <T, U>(name: string, inputs: T[], stage: (input: T) => U): U[] => {
  const { micros, outputs } = cost(inputs, stage);
  rows.push([name, micros]);
  return outputs;
};

// the server
const parsed = measure('server: JSON.parse of the request body', bodies, (b) => (JSON.parse(b) as { events: unknown[] }).events);
measure('server:   of which zod alone (ZAuditEventInput)', parsed, (events) => events.map((e) => ZAuditEventInput.parse(e)));
measure('server:   of which redaction alone', parsed, (events) => events.map((e) => redactEvent(e as never)));
const accepted = measure('server: acceptance (size, zod, redaction, UTC)', parsed, (events) => judgeEvents(events, principal).accepted.map((a) => a.event));
const jobs = measure('server: the job serialised for BullMQ (JSON.stringify)', accepted, (events) =>
  JSON.stringify({ v: 1, tenantId, receivedAt: new Date().toISOString(), events, branchWaits: 0, ticket: 1 }),
);
// the worker
const decoded = measure('worker: the job parsed (JSON.parse)', jobs, (j) => (JSON.parse(j) as { events: unknown[] }).events);
const read = measure('worker: each event read again (zod, ZAcceptedEvent)', decoded, (events) => readJobEvents(events).events);
const hashed = measure('worker: content members and content hash', read, (events) =>
  events.map((event) => {
    const members = canonicalMembersOf(event);
    return { event, members, contentHash: contentHashOf(event, members) };
  }),
);
const stored = measure('worker: rows built and chained (record text, SHA-256)', hashed, (items) => {
  let prevHash = GENESIS_HASH;
  return items.map(({ event, members, contentHash }: { event: TAcceptedEvent; members: ReturnType<typeof canonicalMembersOf>; contentHash: string }, i) => {
    const row = buildStoredRow({ event, members, contentHash, id: uuidv7(), seq: i + 1, prevHash, receivedAt: new Date().toISOString(), provenance: null });
    prevHash = row.hash;
    return row;
  });
});
measure(`worker: the INSERT's JSON parameter (${AUDIT_EVENT_COLUMNS.length} columns)`, stored, (r) => JSON.stringify(r.map(auditEventColumnsOf)));

console.log(`µs of CPU per event, batches of ${BATCH}, lowest of ${ROUNDS} rounds (one core, in memory):`);
for (const [name, micros] of rows) console.log(`  ${name.padEnd(62)} ${micros.toFixed(1).padStart(6)}`);
console.log(`  ${'body size per event (bytes)'.padEnd(62)} ${(bodies[0]!.length / BATCH).toFixed(0).padStart(6)}`);
