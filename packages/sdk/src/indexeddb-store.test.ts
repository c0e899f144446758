import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { IndexedDbOutboxStore } from './indexeddb-store.ts';
import { replay, snapshotOps, type TJournalOp } from './outbox-state.ts';

const event = (n: number) => ({
  eventId: `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`,
  tenantId: '0190a000-0000-7000-8000-000000000000',
  action: 'SALE_FINALIZED' as const,
  outcome: 'SUCCESS' as const,
  actor: { type: 'SYSTEM' as const },
  occurredAt: '2026-11-22T10:00:00.000+01:00',
  context: { deviceId: 'till-7', deviceSeq: n },
});
const add = (n: number): TJournalOp => ({ t: 'add', event: event(n), sealed: true });

describe('IndexedDbOutboxStore (browser journal, on fake-indexeddb)', () => {
  it('keeps records in order across close and reopen, and compacts them in one transaction', async () => {
    const indexedDB = new IDBFactory();
    const store = new IndexedDbOutboxStore({ name: 'till-7', indexedDB });
    expect(await store.open()).toEqual([]);
    const history: TJournalOp[] = [{ t: 'meta', deviceId: 'till-7', lastSeq: 0 }, add(1), add(2), add(3)];
    await store.append(history.slice(0, 2));
    await Promise.all([store.append([history[2]!]), store.append([history[3]!])]);
    await store.append([{ t: 'ack', ids: [event(1).eventId, event(2).eventId] }]);
    await store.close();

    const again = new IndexedDbOutboxStore({ name: 'till-7', indexedDB });
    const ops = await again.open();
    expect(ops.map((o) => o.t)).toEqual(['meta', 'add', 'add', 'add', 'ack']);
    const state = replay(ops);
    await again.compact(snapshotOps(state));
    await again.append([add(4)]);
    await again.close();

    const last = new IndexedDbOutboxStore({ name: 'till-7', indexedDB });
    const compacted = await last.open();
    await last.close();
    expect(compacted.map((o) => o.t)).toEqual(['meta', 'add', 'add']);
    expect(replay(compacted).lastSeq).toBe(4);
    // another name is another outbox
    const other = new IndexedDbOutboxStore({ name: 'till-8', indexedDB });
    expect(await other.open()).toEqual([]);
    await other.close();
  });

  it('refuses a second writer of the same outbox while a Web Lock holds it', async () => {
    const held = new Set<string>();
    // a minimal LockManager with ifAvailable semantics, as browsers provide
    const locks = {
      async request(name: string, _opts: unknown, cb: (lock: unknown) => Promise<void> | undefined) {
        if (held.has(name)) return cb(null);
        held.add(name);
        await cb({ name });
        held.delete(name);
      },
    } as unknown as LockManager;
    const indexedDB = new IDBFactory();
    const first = new IndexedDbOutboxStore({ name: 'till-7', indexedDB, locks });
    await first.open();
    await expect(new IndexedDbOutboxStore({ name: 'till-7', indexedDB, locks }).open()).rejects.toThrow(/another tab/);
    await first.close();
    await new Promise((r) => setTimeout(r, 0));
    const second = new IndexedDbOutboxStore({ name: 'till-7', indexedDB, locks });
    await expect(second.open()).resolves.toHaveLength(0);
    await second.close();
  });
});
