import { v7 as uuidv7 } from 'uuid';
import { generateEvent } from './generate-events.ts';

async function storedCounter(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(/audit_worker_events_total\{result="stored"\} (\d+)/.exec(text)?.[1] ?? 0);
}

/**
 * HTTP `ingest.batch` from several concurrent clients, tenants round-robin, until every accepted
 * event is STORED (the workers' stored counter). Events are generated before timing.
 */
export async function measureHttpIngest(baseUrl: string, tenants: { tenantId: string; apiKey: string }[], events: number, batchSize: number, clients: number): Promise<number> {
  const batches = Array.from({ length: Math.ceil(events / batchSize) }, (_, b) => {
    const tenant = tenants[b % tenants.length]!;
    const body = JSON.stringify({ events: Array.from({ length: Math.min(batchSize, events - b * batchSize) }, (_, i) => generateEvent(tenant.tenantId, uuidv7(), b * batchSize + i)) });
    return { apiKey: tenant.apiKey, body };
  });
  const base = await storedCounter(baseUrl);
  const started = performance.now();
  let next = 0;
  let accepted = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < batches.length) {
      const { apiKey, body } = batches[next++]!;
      const res = await fetch(`${baseUrl}/trpc/ingest.batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body });
      const json = await res.json() as { result?: { data: { accepted: string[] } } };
      if (!json.result) throw new Error(`batch refused: ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
      accepted += json.result.data.accepted.length;
    }
  }));
  while ((await storedCounter(baseUrl)) - base < accepted) await new Promise((r) => setTimeout(r, 200));
  return accepted / ((performance.now() - started) / 1000);
}
