import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileOutboxStore, JOURNAL_FILE } from './file-store.ts';
import type { TJournalOp } from './outbox-state.ts';

/**
 * The journal holds events as the app recorded them: the service redacts secrets only once it
 * accepts them (a PIN typed into a note, a card number in `after`). Until then they are on the
 * till's disk, so only the account the till's app runs as may read them (ASVS V8.3: sensitive data
 * on the client; as the local Redis's files are 0600 in a 0700 folder).
 */
let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'outbox-perm-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const withSecret: TJournalOp = {
  t: 'add',
  sealed: true,
  event: {
    eventId: '0190a000-0000-7000-8000-000000000001',
    tenantId: '0190a000-0000-7000-8000-000000000000',
    action: 'VOID_APPROVED',
    outcome: 'SUCCESS',
    branchId: '0190a000-0000-7000-8000-0000000000b1',
    actor: { type: 'USER', id: 'u7', role: 'MANAGER' },
    occurredAt: '2026-11-22T10:00:00.000+01:00',
    metadata: { note: 'approved with manager PIN 4321' },
  },
};

/** The permission bits others than the owner have on `path`. */
const othersBits = async (path: string) => (await stat(path)).mode & 0o077;

describe('FileOutboxStore: the journal is readable by its owner only', () => {
  it('creates the folder 0700 and the journal and lock 0600, and keeps them so across a compaction', async () => {
    const dir = join(root, 'audit-outbox');
    const store = new FileOutboxStore(dir);
    await store.open();
    await store.append([{ t: 'meta', deviceId: 'till-7', lastSeq: 0 }, withSecret]);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await othersBits(join(dir, JOURNAL_FILE))).toBe(0);
    expect(await othersBits(join(dir, 'outbox.lock'))).toBe(0);
    await store.compact([{ t: 'meta', deviceId: 'till-7', lastSeq: 1 }, withSecret]);
    expect(await othersBits(join(dir, JOURNAL_FILE))).toBe(0);
    await store.close();
  });

  it('tightens a journal an earlier version left readable by others (a folder the app made is its own: left as it is)', async () => {
    const dir = join(root, 'old-outbox');
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    await writeFile(join(dir, JOURNAL_FILE), `${JSON.stringify(withSecret)}\n`, { mode: 0o644 });
    await chmod(join(dir, JOURNAL_FILE), 0o644);
    const store = new FileOutboxStore(dir);
    expect(await store.open()).toHaveLength(1);
    expect(await othersBits(join(dir, JOURNAL_FILE))).toBe(0);
    await store.close();
  });
});
