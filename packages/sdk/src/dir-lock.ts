import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Lock files held by this process (a second outbox on the same directory in one process is refused too). */
const heldHere = new Set<string>();

export class OutboxLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`the outbox at ${dir} is in use by process ${pid}; one outbox per directory`);
    this.name = 'OutboxLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `dir/outbox.lock` for this process: two writers on one journal would hand out the same
 * deviceSeq twice. A lock left by a process that died (the device crashed) is taken over.
 */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'outbox.lock');
  for (let tries = 0; ; tries++) {
    try {
      const fh = await open(path, 'wx', 0o600); // owner only, as the journal beside it
      await fh.writeFile(String(process.pid));
      await fh.close();
      heldHere.add(path);
      return async () => {
        heldHere.delete(path);
        await rm(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 0) throw err;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      const stale = !Number.isInteger(pid) || pid <= 0 || (pid === process.pid ? !heldHere.has(path) : !isAlive(pid));
      if (!stale) throw new OutboxLockedError(dir, pid);
      await rm(path, { force: true });
    }
  }
}
