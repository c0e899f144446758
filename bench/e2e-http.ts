import { v7 as uuidv7 } from 'uuid';
import type { CpuMeter } from './cpu-accounting.ts';
import { benchBranchIds, branchProvisioning, generateEvent } from './generate-events.ts';

/** Waits until the server answers /healthz with 200 (it is starting until then). */
export async function waitUntilHealthy(baseUrl: string): Promise<void> {
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) return;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Events the workers have stored so far (their counter in /metrics). */
export async function storedCounter(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(/audit_worker_events_total\{result="stored"\} (\d+)/.exec(text)?.[1] ?? 0);
}

/** A tRPC mutation over HTTP with a JSON body already serialized; throws on any refusal. */
async function post(baseUrl: string, apiKey: string, path: string, body: string): Promise<any> {
  const res = await fetch(`${baseUrl}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body,
  });
  const json = (await res.json()) as { result?: { data: unknown } };
  if (!json.result) throw new Error(`${path} refused: ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
  return json.result.data;
}

/** Provisions each tenant's bench branches through the pipeline and waits until they are stored (a no-op after the first run). */
export async function provisionBenchBranches(baseUrl: string, tenants: { tenantId: string; apiKey: string }[]): Promise<void> {
  for (const t of tenants) {
    const events = branchProvisioning(t.tenantId);
    await post(baseUrl, t.apiKey, 'ingest.batch', JSON.stringify({ events }));
    for (;;) {
      const input = encodeURIComponent(JSON.stringify({ eventIds: events.map((e) => e.eventId) }));
      const res = (await (await fetch(`${baseUrl}/trpc/ingest.status?input=${input}`, { headers: { authorization: `Bearer ${t.apiKey}` } })).json()) as any;
      if (res.result.data.statuses.every((s: { state: string }) => s.state === 'STORED')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * HTTP `ingest.batch` from several concurrent clients, tenants round-robin, until every accepted
 * event is STORED (the workers' stored counter). Nine in ten events are at one of the tenant's
 * five provisioned branches, so the freeze rule is applied. Events are generated before timing.
 */
export async function measureHttpIngest(
  baseUrl: string,
  tenants: { tenantId: string; apiKey: string }[],
  events: number,
  batchSize: number,
  clients: number,
  cpu?: CpuMeter,
): Promise<number> {
  await provisionBenchBranches(baseUrl, tenants);
  const batches = Array.from({ length: Math.ceil(events / batchSize) }, (_, b) => {
    const tenant = tenants[b % tenants.length]!;
    const branches = benchBranchIds(tenant.tenantId);
    const body = JSON.stringify({
      events: Array.from({ length: Math.min(batchSize, events - b * batchSize) }, (_, i) =>
        generateEvent(tenant.tenantId, uuidv7(), b * batchSize + i, branches),
      ),
    });
    return { apiKey: tenant.apiKey, body };
  });
  const base = await storedCounter(baseUrl);
  cpu?.start();
  const started = performance.now();
  let next = 0;
  let accepted = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < batches.length) {
        const { apiKey, body } = batches[next++]!;
        // not `accepted += await …`: that reads `accepted` before the await, and the four clients'
        // counts overwrite each other (it under-counted and halved the reported rate)
        const result = (await post(baseUrl, apiKey, 'ingest.batch', body)) as { accepted: string[] };
        accepted += result.accepted.length;
      }
    }),
  );
  if (accepted !== events) throw new Error(`the service accepted ${accepted} of ${events} events`);
  while ((await storedCounter(baseUrl)) - base < accepted) await new Promise((r) => setTimeout(r, 200));
  const seconds = (performance.now() - started) / 1000;
  cpu?.stop(accepted);
  return accepted / seconds;
}
