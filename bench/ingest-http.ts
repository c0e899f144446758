/**
 * End-to-end ingest through HTTP against a running system: N events in batches of B from C
 * concurrent clients, timed until every event is STORED (read from /metrics).
 *
 *   pnpm exec tsx bench/ingest-http.ts --url http://127.0.0.1:3000 --api-key KEY --tenant ID [--events 100000] [--batch 1000] [--clients 4]
 */
import { parseArgs } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import { generateEvent } from './generate-events.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    'api-key': { type: 'string' },
    tenant: { type: 'string' },
    events: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '4' },
  },
});
const total = Number(values.events);
const batch = Number(values.batch);
const clients = Number(values.clients);
if (!values['api-key'] || !values.tenant) throw new Error('--api-key and --tenant are required');

async function storedCounter(): Promise<number> {
  const text = await (await fetch(`${values.url}/metrics`)).text();
  return Number(/audit_worker_events_total\{result="stored"\} (\d+)/.exec(text)?.[1] ?? 0);
}

const base = await storedCounter();
const batches = Array.from({ length: Math.ceil(total / batch) }, (_, i) =>
  Array.from({ length: Math.min(batch, total - i * batch) }, () => generateEvent(values.tenant!, uuidv7())),
);
const started = performance.now();
let next = 0;
let accepted = 0;
let rateLimited = 0;
await Promise.all(
  Array.from({ length: clients }, async () => {
    while (next < batches.length) {
      const events = batches[next++]!;
      for (;;) {
        const res = await fetch(`${values.url}/trpc/ingest.batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${values['api-key']}` },
          body: JSON.stringify({ events }),
        });
        const body = (await res.json()) as { result?: { data: { accepted: string[] } } };
        if (res.status === 429) {
          // over the key's ingest rate (INGEST_RATE_PER_KEY): wait as told, send the same batch again
          rateLimited++;
          await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
          continue;
        }
        if (!body.result) throw new Error(`batch refused: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
        accepted += body.result.data.accepted.length;
        break;
      }
    }
  }),
);
const ackedMs = performance.now() - started;
while ((await storedCounter()) - base < accepted) await new Promise((r) => setTimeout(r, 100));
const storedMs = performance.now() - started;
console.log(
  JSON.stringify({
    events: total,
    accepted,
    batch,
    clients,
    rateLimitedCalls: rateLimited,
    acknowledgedInSeconds: +(ackedMs / 1000).toFixed(2),
    ackPerSecond: Math.round(accepted / (ackedMs / 1000)),
    allStoredInSeconds: +(storedMs / 1000).toFixed(2),
    storedPerSecond: Math.round(accepted / (storedMs / 1000)),
  }),
);
