import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { lockDirectory } from './dir-lock.ts';
import type { TJournalOp } from './outbox-state.ts';
import type { TOutboxStore } from './outbox-store.ts';

export const JOURNAL_FILE = 'outbox.jsonl';

/**
 * The journal holds events as the app recorded them, before the service redacts their secrets (a
 * PIN in a note, a card number): only the account the app runs as may read it. A folder the outbox
 * creates is 0700; one the app made is left as it is, the files in it are 0600 whatever the umask.
 */
const OWNER_ONLY_DIR = 0o700;
const OWNER_ONLY_FILE = 0o600;

export class JournalCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    cause: unknown,
  ) {
    super(`${file}: line ${line} is not a journal record (only the last line may be torn by a crash); refusing to guess`, { cause });
    this.name = 'JournalCorruptError';
  }
}

interface TPendingWrite {
  text: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The Node store: an append-only JSON-lines journal in `dir/outbox.jsonl`. Each append is
 * written and `fdatasync`ed before it resolves; appends that arrive while a write is under way
 * share the next write and sync (group commit), in order. A crash can only tear the last line
 * (its append never resolved, so no caller was told it was kept): `open()` drops it and cuts the
 * file back to the last whole record. Compaction writes a new file, syncs it, renames it over the
 * journal and syncs the directory, so a crash leaves either the old journal or the new one.
 */
export class FileOutboxStore implements TOutboxStore {
  readonly file: string;
  private fh: FileHandle | null = null;
  private unlock: (() => Promise<void>) | null = null;
  private queue: TPendingWrite[] = [];
  private writing: Promise<void> | null = null;

  constructor(readonly dir: string) {
    this.file = join(dir, JOURNAL_FILE);
  }

  async open(): Promise<TJournalOp[]> {
    await mkdir(this.dir, { recursive: true, mode: OWNER_ONLY_DIR });
    this.unlock = await lockDirectory(this.dir);
    try {
      const fh = await open(this.file, 'a+', OWNER_ONLY_FILE);
      await fh.chmod(OWNER_ONLY_FILE); // a journal an earlier version wrote with the umask's 0644
      const text = await fh.readFile('utf8');
      const { ops, validLength } = parseJournal(text, this.file);
      const validBytes = Buffer.byteLength(text.slice(0, validLength));
      if (validBytes < Buffer.byteLength(text)) {
        await fh.truncate(validBytes);
        await fh.datasync();
      }
      this.fh = fh;
      await syncDirectory(this.dir);
      return ops;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  append(ops: TJournalOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    const text = ops.map((op) => `${JSON.stringify(op)}\n`).join('');
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ text, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  async compact(ops: TJournalOp[]): Promise<void> {
    await this.idle();
    const tmp = `${this.file}.compact`;
    const out = await open(tmp, 'w', OWNER_ONLY_FILE);
    try {
      await out.writeFile(ops.map((op) => `${JSON.stringify(op)}\n`).join(''));
      await out.datasync();
    } finally {
      await out.close();
    }
    await this.fh?.close();
    this.fh = null;
    await rename(tmp, this.file);
    await syncDirectory(this.dir);
    this.fh = await open(this.file, 'a', OWNER_ONLY_FILE);
  }

  async close(): Promise<void> {
    await this.idle().catch(() => undefined);
    await this.fh?.close();
    this.fh = null;
    await this.unlock?.();
    this.unlock = null;
  }

  private async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.queue.length);
        try {
          if (!this.fh) throw new Error('the outbox store is closed');
          await this.fh.appendFile(group.map((w) => w.text).join(''));
          await this.fh.datasync();
          for (const w of group) w.resolve();
        } catch (err) {
          for (const w of group) w.reject(err);
        }
      }
    } finally {
      this.writing = null;
    }
  }
}

/**
 * Parses journal text. Every complete line must be a record; the text after the last newline,
 * and a last line that does not parse, are a torn write and end the valid part.
 */
export function parseJournal(text: string, file = JOURNAL_FILE): { ops: TJournalOp[]; validLength: number } {
  const ops: TJournalOp[] = [];
  let start = 0;
  let line = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    line++;
    if (end === -1) break; // torn: the append never completed
    const raw = text.slice(start, end);
    try {
      ops.push(JSON.parse(raw) as TJournalOp);
    } catch (err) {
      if (text.slice(end + 1).trim() === '') break; // the last line, torn
      throw new JournalCorruptError(file, line, err);
    }
    start = end + 1;
  }
  return { ops, validLength: start };
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the file's own sync still holds
  } finally {
    await handle.close();
  }
}
