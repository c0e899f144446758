import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** A server or worker started as its own process, exactly as `pnpm start:server` / `pnpm start:worker` start it. */
export interface TServiceProcess {
  role: 'server' | 'worker';
  name: string;
  child: ChildProcess;
  /** Its stderr and stdout, for the failure message of a test. */
  output(): string;
  /** The base URL of a server. */
  baseUrl?: string;
  /** When it was started (Date.now()). */
  startedAt: number;
  exited: Promise<void>;
}

/**
 * Starts `scripts/start-one.ts server|worker` (what `pnpm start:server` / `start:worker` run) with
 * `env`, and a DATA_DIR of its own: the processes share nothing on disk, as on separate hosts.
 */
export function startServiceProcess(role: 'server' | 'worker', name: string, env: Record<string, string>, port?: number): TServiceProcess {
  const dataDir = mkdtempSync(join(tmpdir(), `modula-${name}-`));
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'scripts/start-one.ts'), role], {
    cwd: ROOT,
    env: { ...process.env, ...env, DATA_DIR: dataDir, ...(port !== undefined ? { PORT: String(port), HOST: '127.0.0.1' } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // its DATA_DIR goes with it
  const exited = new Promise<void>((done) =>
    child.once('exit', () => {
      rmSync(dataDir, { recursive: true, force: true });
      done();
    }),
  );
  return { role, name, child, output: () => out, exited, startedAt: Date.now(), ...(port !== undefined ? { baseUrl: `http://127.0.0.1:${port}` } : {}) };
}

export async function killProcess(p: TServiceProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  await p.exited;
}

/** Waits until a server answers /healthz with 200 (it reached the database and the queue). */
export async function waitHealthy(p: TServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited ${p.child.exitCode}:\n${p.output()}`);
    const ok = await fetch(`${p.baseUrl}/healthz`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${p.name} not healthy after ${timeoutMs} ms:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
