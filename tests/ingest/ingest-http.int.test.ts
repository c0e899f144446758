import { verifyChain } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, getTrpc, makeEvent, postTrpc } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

let stack: TestStack;
let tenant: { tenantId: string; apiKey: string };

beforeAll(async () => {
  stack = await startStack();
  tenant = await stack.createTenant('Bistro Uno');
});
afterAll(() => stack.close());

describe('ingest over HTTP with an API key', () => {
  it('accepts a batch, stores every event once in order, and reports STORED with seq', async () => {
    const events = Array.from({ length: 25 }, () => makeEvent(tenant.tenantId));
    const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events }, tenant.apiKey);
    expect(res.status).toBe(200);
    expect(res.body.result.data.accepted).toEqual(events.map((e) => e.eventId));
    expect(res.body.result.data.rejected).toEqual([]);

    const statuses = await eventually(async () => {
      const r = await getTrpc(stack.baseUrl, 'ingest.status', { eventIds: events.map((e) => e.eventId) }, tenant.apiKey);
      const s = r.body.result.data.statuses as { state: string; seq: number }[];
      return s.every((x) => x.state === 'STORED') ? s : undefined;
    });
    expect(statuses.map((s) => s.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const chain = await verifyChain(stack.services.orm, tenant.tenantId);
    expect(chain).toMatchObject({ ok: true, checked: 25, headSeq: 25, firstBrokenSeq: null });
  });

  it('refuses a request without a valid API key', async () => {
    const event = makeEvent(tenant.tenantId);
    const none = await postTrpc(stack.baseUrl, 'ingest.record', event);
    expect(none.status).toBe(401);
    const forged = await postTrpc(stack.baseUrl, 'ingest.record', event, `${tenant.apiKey.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    expect(forged.body.error.data.code).toBe('UNAUTHORIZED');
  });

  it("answers FORBIDDEN for another tenant's event on ingest.record", async () => {
    const other = await stack.createTenant('Other');
    const res = await postTrpc(stack.baseUrl, 'ingest.record', makeEvent(other.tenantId), tenant.apiKey);
    expect(res.status).toBe(403);
    expect(res.body.error.data.code).toBe('FORBIDDEN');
  });

  it('reports UNKNOWN for ids never sent, PENDING for an acknowledged event while no worker runs, then STORED', async () => {
    const unknownId = makeEvent(tenant.tenantId).eventId;
    const r = await getTrpc(stack.baseUrl, 'ingest.status', { eventIds: [unknownId] }, tenant.apiKey);
    expect(r.body.result.data.statuses).toEqual([{ eventId: unknownId, state: 'UNKNOWN' }]);

    await stack.worker!.close();
    const event = makeEvent(tenant.tenantId);
    expect((await postTrpc(stack.baseUrl, 'ingest.record', event, tenant.apiKey)).status).toBe(200);
    const pending = await getTrpc(stack.baseUrl, 'ingest.status', { eventIds: [event.eventId] }, tenant.apiKey);
    expect(pending.body.result.data.statuses).toEqual([{ eventId: event.eventId, state: 'PENDING' }]);

    stack.worker = stack.startWorker();
    await eventually(async () => {
      const s = (await getTrpc(stack.baseUrl, 'ingest.status', { eventIds: [event.eventId] }, tenant.apiKey)).body.result.data.statuses[0];
      return s.state === 'STORED' ? s : undefined;
    });
  });

  it('serves /healthz and /metrics', async () => {
    const health = await fetch(`${stack.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: 'ok', queue: 'ok' });
    const metrics = await (await fetch(`${stack.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/audit_ingest_accepted_total \d+/);
    expect(metrics).toMatch(/audit_queue_jobs\{state="failed"\} 0/);
    expect(metrics).toMatch(/audit_quarantine_open 0/);
    // the 25 of the first test and the one stored after waiting for a worker
    expect(metrics).toMatch(/audit_worker_events_total\{result="stored"\} 26/);
    expect(metrics).toMatch(/audit_oldest_unstored_seconds 0/);
  });

  it("refuses, from an API key, the actions only the service writes (the log's and its administration's), and takes the rest of the batch", async () => {
    // a till's key could otherwise write "Ada Admin revoked read token x" or "removed expired events"
    const admin = { type: 'USER', id: 'admin-1', role: 'ADMIN', name: 'Ada Admin' } as const;
    const forged = [
      makeEvent(tenant.tenantId, { action: 'AUDIT_LOG_VIEWED', actor: admin, entity: undefined }),
      makeEvent(tenant.tenantId, { action: 'READ_TOKEN_REVOKED', actor: admin, entity: { type: 'READ_TOKEN', id: 'tok-1', label: 'SIEM' } }),
      makeEvent(tenant.tenantId, { action: 'EVENTS_EXPIRED', actor: { type: 'SYSTEM', name: 'Retention' }, entity: undefined }),
    ];
    const sale = makeEvent(tenant.tenantId);
    const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events: [forged[0], sale, forged[1], forged[2]] }, tenant.apiKey);
    expect(res.status).toBe(200);
    expect(res.body.result.data.accepted).toEqual([sale.eventId]);
    const rejected = res.body.result.data.rejected as { index: number; eventId: string; issues: { path: string[]; message: string }[] }[];
    expect(rejected.map((r) => [r.index, r.eventId, r.issues.map((i) => i.path.join('.'))])).toEqual([
      [0, forged[0]!.eventId, ['action']],
      [2, forged[1]!.eventId, ['action']],
      [3, forged[2]!.eventId, ['action']],
    ]);
    expect(rejected[0]!.issues[0]!.message).toContain('AUDIT_LOG_VIEWED is recorded by the audit service itself');

    const one = await postTrpc(stack.baseUrl, 'ingest.record', makeEvent(tenant.tenantId, { action: 'API_KEY_REVOKED', actor: admin }), tenant.apiKey);
    expect(one.status).toBe(403);
    expect(one.body.error.data.code).toBe('FORBIDDEN');

    // nothing of them was queued: ingest.status does not know them
    const r = await getTrpc(stack.baseUrl, 'ingest.status', { eventIds: forged.map((e) => e.eventId) }, tenant.apiKey);
    expect(r.body.result.data.statuses.map((s: { state: string }) => s.state)).toEqual(['UNKNOWN', 'UNKNOWN', 'UNKNOWN']);

    // a module of the monolith (the system caller) still records them
    const viewed = makeEvent(tenant.tenantId, { action: 'AUDIT_LOG_VIEWED', actor: admin, entity: undefined });
    await expect(stack.caller.ingest.record(viewed)).resolves.toEqual({ eventId: viewed.eventId });
  });
});
