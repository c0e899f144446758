import { spawnSync } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboxLockedError } from './dir-lock.ts';
import { FileOutboxStore, JOURNAL_FILE, JournalCorruptError, parseJournal } from './file-store.ts';
import { replay, snapshotOps, type TJournalOp } from './outbox-state.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outbox-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

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

describe('FileOutboxStore: the append-only JSON-lines journal', () => {
  it('gives back every appended record, in order, after a reopen', async () => {
    const store = new FileOutboxStore(dir);
    expect(await store.open()).toEqual([]);
    await store.append([{ t: 'meta', deviceId: 'till-7', lastSeq: 0 }]);
    // concurrent appends share a write and keep their order
    await Promise.all([add(1), add(2), add(3)].map((op) => store.append([op])));
    await store.append([{ t: 'ack', ids: [event(2).eventId] }]);
    await store.close();

    const again = new FileOutboxStore(dir);
    const ops = await again.open();
    await again.close();
    expect(ops.map((o) => o.t)).toEqual(['meta', 'add', 'add', 'add', 'ack']);
    const state = replay(ops);
    expect([...state.pending.keys()]).toEqual([event(1).eventId, event(3).eventId]);
    expect(state.lastSeq).toBe(3);
  });

  it('drops a torn last line left by a crash and cuts the file back, so the next append starts clean', async () => {
    const store = new FileOutboxStore(dir);
    await store.open();
    await store.append([{ t: 'meta', deviceId: 'till-7', lastSeq: 0 }, add(1)]);
    await store.close();
    // the crash: half of the next record reached the disk, without its newline
    const whole = `${JSON.stringify(add(2))}\n`;
    await appendFile(join(dir, JOURNAL_FILE), whole.slice(0, 57));

    const after = new FileOutboxStore(dir);
    const ops = await after.open();
    expect(ops.map((o) => o.t)).toEqual(['meta', 'add']);
    expect((await readFile(join(dir, JOURNAL_FILE), 'utf8')).endsWith('}\n')).toBe(true);
    await after.append([add(2)]);
    await after.close();

    const last = new FileOutboxStore(dir);
    const replayed = replay(await last.open());
    await last.close();
    expect(replayed.lastSeq).toBe(2);
    expect(replayed.pending.size).toBe(2);
  });

  it('also drops a last line that is complete but garbled (zeros after a power cut)', () => {
    const text = `${JSON.stringify(add(1))}\n\u0000\u0000\u0000\n`;
    const { ops, validLength } = parseJournal(text);
    expect(ops).toHaveLength(1);
    expect(validLength).toBe(JSON.stringify(add(1)).length + 1);
  });

  it('refuses to guess when a line in the middle is corrupt', async () => {
    await writeFile(join(dir, JOURNAL_FILE), `${JSON.stringify(add(1))}\n{"t":"add",\n${JSON.stringify(add(2))}\n`);
    const store = new FileOutboxStore(dir);
    await expect(store.open()).rejects.toBeInstanceOf(JournalCorruptError);
    // and it released the directory
    const again = new FileOutboxStore(dir);
    await expect(again.open()).rejects.toThrow(/line 2/);
  });

  it('compaction keeps the state (pending, dead letters, the counter) in a much shorter file', async () => {
    const store = new FileOutboxStore(dir);
    await store.open();
    const history: TJournalOp[] = [{ t: 'meta', deviceId: 'till-7', lastSeq: 0 }];
    for (let n = 1; n <= 200; n++) history.push(add(n));
    history.push({ t: 'ack', ids: Array.from({ length: 199 }, (_, i) => event(i + 1).eventId) });
    history.push({
      t: 'dead',
      items: [{ eventId: event(200).eventId, issues: [{ path: ['action'], message: 'no' }], rejectedAt: '2026-11-22T10:00:00.000Z' }],
    });
    history.push(add(201));
    await store.append(history);
    const before = (await readFile(join(dir, JOURNAL_FILE))).length;
    const state = replay(history);
    await store.compact(snapshotOps(state));
    await store.append([add(202)]);
    await store.close();

    const after = (await readFile(join(dir, JOURNAL_FILE))).length;
    expect(after).toBeLessThan(before / 50);
    const reopened = new FileOutboxStore(dir);
    const replayed = replay(await reopened.open());
    await reopened.close();
    expect(replayed.lastSeq).toBe(202);
    expect([...replayed.pending.keys()]).toEqual([event(201).eventId, event(202).eventId]);
    expect([...replayed.deadLetters.keys()]).toEqual([event(200).eventId]);
  });

  it('lets one outbox at a time use a directory, and takes over the lock of a process that died', async () => {
    const first = new FileOutboxStore(dir);
    await first.open();
    await expect(new FileOutboxStore(dir).open()).rejects.toBeInstanceOf(OutboxLockedError);
    await first.close();

    // a lock file whose process is gone (the till crashed)
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    await writeFile(join(dir, 'outbox.lock'), dead);
    const next = new FileOutboxStore(dir);
    await expect(next.open()).resolves.toEqual([]);
    await next.close();
  });
});
