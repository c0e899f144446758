import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIMITS } from '@modula/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditOutbox, InvalidAuditEventError, MemoryOutboxStore, type TRecordInput } from './index.ts';

const TENANT = '0190a000-0000-7000-8000-000000000001';
const BRANCH = '0190a000-0000-7000-8000-0000000000b1';
/** A sale at the till's branch (a sale without its branch is refused). */
const sale: TRecordInput = { action: 'SALE_FINALIZED', outcome: 'SUCCESS', branchId: BRANCH, actor: { type: 'USER', id: 'cashier-7', role: 'CASHIER' } };

/** A port nothing listens on: the service is unreachable. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let dir: string;
let url: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outbox-'));
  url = `http://127.0.0.1:${await closedPort()}`;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const open = (extra: Partial<Parameters<typeof AuditOutbox.open>[0]> = {}) =>
  AuditOutbox.open({ url, apiKey: 'mak_test', tenantId: TENANT, dir, deviceId: 'till-7', autoSync: false, ...extra });

describe('AuditOutbox while the service is unreachable', () => {
  it('completes an event (UUIDv7 eventId, occurredAt with offset, device number, offline flag) and keeps it', async () => {
    const outbox = await open();
    expect(outbox.reachability).toBe('offline');
    const event = await outbox.record(sale);
    expect(event.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(Math.abs(Date.parse(event.occurredAt) - Date.now())).toBeLessThan(5_000);
    expect(event).toMatchObject({ tenantId: TENANT, context: { deviceId: 'till-7', deviceSeq: 1, offline: true } });
    expect(event.metadata).toBeUndefined(); // no offset known: nothing to correct yet
    expect(outbox.pending()).toEqual([event]);
    await expect(outbox.flush()).rejects.toThrow();
    expect(outbox.pending()).toEqual([event]);
    await outbox.close();
  });

  it('takes null for an unset optional field as absent, as the service does (apps in Java, C#, Swift write it)', async () => {
    const outbox = await open();
    const nulls = { ...sale, reason: null, entity: null, metadata: null, actor: { ...sale.actor, name: null }, context: { sessionId: null } };
    const event = await outbox.record(nulls as unknown as TRecordInput);
    expect(event).not.toHaveProperty('reason');
    expect(event).not.toHaveProperty('entity');
    expect(event.actor).not.toHaveProperty('name');
    expect(event.context).toEqual({ deviceId: 'till-7', deviceSeq: 1, offline: true });
    await outbox.close();
  });

  it('refuses an invalid event at once with its issues; it never enters the outbox nor uses a number', async () => {
    const outbox = await open();
    const bad = { ...sale, outcome: 'REJECTED', actor: { type: 'ROBOT' } } as unknown as TRecordInput;
    const error = await outbox.record(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidAuditEventError);
    const paths = (error as InvalidAuditEventError).issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['actor.type']));
    await expect(outbox.record({ ...sale, action: 'SALE_DELETED' } as unknown as TRecordInput)).rejects.toThrow(/unknown action/);
    await expect(outbox.record({ ...sale, branchId: undefined })).rejects.toThrow(/branchId: is required for SALE_FINALIZED/);
    await expect(outbox.record({ ...sale, metadata: { note: 'x'.repeat(70_000) } })).rejects.toThrow(/bytes serialized|8192/);
    expect(outbox.pending()).toEqual([]);
    expect((await outbox.record(sale)).context?.deviceSeq).toBe(1);
    await expect(outbox.record({ ...sale, eventId: outbox.pending()[0]!.eventId })).rejects.toThrow(/already in this outbox/);
    const twice = { ...sale, eventId: '0190a000-0000-7000-8000-0000000000ff' };
    const both = await Promise.allSettled([outbox.record(twice), outbox.record(twice)]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(outbox.pending().map((e) => e.context?.deviceSeq)).toEqual([1, 2]);
    await outbox.close();
  });

  it('refuses at once an event that metadata.clock would push over a limit, when the outbox may still add it', async () => {
    const outbox = await open();
    // the clock is not measured yet: a correction at the first sync adds metadata.clock
    const full = { ...sale, metadata: Object.fromEntries(Array.from({ length: LIMITS.jsonMaxKeys }, (_, i) => [`k${i}`, i])) };
    const error = await outbox.record(full).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidAuditEventError);
    expect((error as InvalidAuditEventError).issues).toEqual([{ path: ['metadata'], message: expect.stringMatching(/more than 256 keys.*metadata\.clock/) }]);
    // so is one whose size leaves no room for it
    const plain = await outbox.record(sale);
    // notes of at most 8,000 characters, adding up to 20 bytes short of the limit
    const notes = (chars: number) =>
      Object.fromEntries(Array.from({ length: Math.ceil(chars / 8000) }, (_, i) => [`n${i}`, 'x'.repeat(Math.min(8000, chars - i * 8000))]));
    const bytes = (chars: number) => Buffer.byteLength(JSON.stringify({ ...plain, metadata: notes(chars) }));
    let chars = LIMITS.eventMaxBytes;
    while (bytes(chars) > LIMITS.eventMaxBytes - 20) chars -= bytes(chars) - (LIMITS.eventMaxBytes - 20);
    await expect(outbox.record({ ...sale, metadata: notes(chars) })).rejects.toThrow(/bytes serialized.*metadata\.clock/);
    // with its own occurredAt the event is final as recorded: nothing will be added
    const stamped = await outbox.record({ ...full, occurredAt: '2026-11-20T08:00:00+01:00' });
    expect(Object.keys(stamped.metadata!)).toHaveLength(LIMITS.jsonMaxKeys);
    expect(outbox.pending()).toHaveLength(2);
    await outbox.close();
  });

  it('numbers concurrent records 1…n without gaps or repeats, and the counter survives a restart', async () => {
    const first = await open();
    const events = await Promise.all(Array.from({ length: 20 }, () => first.record(sale)));
    expect(events.map((e) => e.context?.deviceSeq).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(first.pending().map((e) => e.context?.deviceSeq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await first.close();

    const second = await open({ deviceId: undefined }); // the id comes from the store
    expect(second.deviceId).toBe('till-7');
    expect(second.pending().map((e) => e.eventId)).toEqual(first.pending().map((e) => e.eventId));
    expect((await second.record(sale)).context?.deviceSeq).toBe(21);
    await second.close();
    await expect(open({ deviceId: 'till-8' })).rejects.toThrow(/belongs to device "till-7"/);
  });

  it('keeps what the app said: its own occurredAt, eventId and offline flag', async () => {
    const outbox = await AuditOutbox.open({ url, apiKey: 'k', tenantId: TENANT, store: new MemoryOutboxStore(), autoSync: false });
    expect(outbox.deviceId).toMatch(/^[0-9a-f-]{36}$/); // a generated device id
    const event = await outbox.record({
      ...sale,
      eventId: '0190a000-0000-7000-8000-00000000abcd',
      occurredAt: '2026-11-20T08:00:00+01:00',
      context: { offline: false },
    });
    expect(event).toMatchObject({
      eventId: '0190a000-0000-7000-8000-00000000abcd',
      occurredAt: '2026-11-20T08:00:00+01:00',
      context: { offline: false, deviceSeq: 1 },
    });
    await outbox.close();
    await expect(outbox.record(sale)).rejects.toThrow(/closed/);
  });
});
