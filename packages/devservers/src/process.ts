import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { openSync } from 'node:fs';

/** The uid/gid to run a server as: PostgreSQL refuses to run as root, so root hands it to `postgres`. */
export function unprivilegedIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error('running as root needs the unprivileged user "postgres" to run PostgreSQL (useradd postgres)');
  }
}

/**
 * Starts a server with its output appended to `logFile`, in a process group of its own (`detached`):
 * Ctrl-C in a terminal signals the terminal's foreground group, and the servers must not get it —
 * the supervisor that started them stops them itself, after the processes that use them.
 */
export function spawnLogged(cmd: string, args: string[], logFile: string, ids?: { uid: number; gid: number }): ChildProcess {
  const log = openSync(logFile, 'a');
  return spawn(cmd, args, { stdio: ['ignore', log, log], detached: true, ...(ids ?? {}) });
}

/** Sends a signal and resolves when the process has exited (or after `timeoutMs`, with SIGKILL). */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
