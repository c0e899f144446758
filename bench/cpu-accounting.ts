import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the machine's CPU goes during a bench phase, by process: PostgreSQL (the postmaster, every
 * backend and helper, and the backends that exited meanwhile), Redis, the server, the worker(s),
 * and this process (the load generator). Read from /proc, so it counts what the CPU profiles of
 * docs/ingest-profile.md cannot: the servers' own work. On 2 cores, everything below shares them.
 */

/** /proc/<pid>/stat's fields after the command name: [state, ppid, …]; utime is index 11. */
function statFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // exited between listing and reading
  }
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of the process, plus (`withReaped`) what its exited, reaped children used. */
function cpuMs(fields: string[], withReaped: boolean): number {
  const own = Number(fields[11]) + Number(fields[12]);
  return (withReaped ? own + Number(fields[13]) + Number(fields[14]) : own) * TICK_MS;
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** The postmaster's pid: the first line of postmaster.pid in the cluster's folder. */
export function postmasterPid(clusterDir: string): number {
  return Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

export interface TCpuSources {
  postmaster: number;
  redis: number;
  server: number[];
  worker: number[];
}

export type TCpuSnapshot = Record<'PostgreSQL' | 'Redis' | 'server' | 'worker' | 'load generator', number>;

/** CPU used so far, ms, by each part. Exited PostgreSQL backends are in the postmaster's reaped time. */
export function cpuSnapshot(s: TCpuSources): TCpuSnapshot {
  let postgres = 0;
  for (const pid of allPids()) {
    const f = statFields(pid);
    if (!f) continue;
    if (pid === s.postmaster) postgres += cpuMs(f, true);
    else if (Number(f[1]) === s.postmaster) postgres += cpuMs(f, false);
  }
  // reaped children too: Redis forks to rewrite its append-only file
  const of = (pids: number[]) =>
    pids.reduce((sum, pid) => {
      const f = statFields(pid);
      return sum + (f ? cpuMs(f, true) : 0);
    }, 0);
  const self = process.cpuUsage();
  return {
    PostgreSQL: postgres,
    Redis: of([s.redis]),
    server: of(s.server),
    worker: of(s.worker),
    'load generator': (self.user + self.system) / 1000,
  };
}

/** CPU per event, µs, by part, between two snapshots. */
export function cpuPerEvent(before: TCpuSnapshot, after: TCpuSnapshot, events: number): TCpuSnapshot {
  const out = {} as TCpuSnapshot;
  for (const key of Object.keys(before) as (keyof TCpuSnapshot)[]) out[key] = ((after[key] - before[key]) * 1000) / events;
  return out;
}

export const cpuTotal = (c: TCpuSnapshot): number => Object.values(c).reduce((a, b) => a + b, 0);

/**
 * Adds up the CPU of the timed part of several runs: `start()` where a run's clock starts, `stop(n)`
 * where it stops, n being the events it stored. Setting up a run (generating its events) is left out.
 */
export class CpuMeter {
  private spent: TCpuSnapshot | null = null;
  private begun: TCpuSnapshot | null = null;
  private begunAt = 0;
  private wallMs = 0;
  private events = 0;
  constructor(private readonly sources: TCpuSources) {}

  start(): void {
    this.begun = cpuSnapshot(this.sources);
    this.begunAt = performance.now();
  }

  stop(events: number): void {
    if (!this.begun) throw new Error('CpuMeter.stop before start');
    const now = cpuSnapshot(this.sources);
    const run = cpuPerEvent(this.begun, now, 1); // µs in all: per one "event"
    this.spent = this.spent ? addUp(this.spent, run) : run;
    this.events += events;
    this.wallMs += performance.now() - this.begunAt;
    this.begun = null;
  }

  /** How many cores were busy on average while the clock ran: all the parts' CPU time ÷ wall time. */
  coresBusy(): number {
    if (!this.spent || this.wallMs === 0) throw new Error('CpuMeter: nothing measured');
    return cpuTotal(this.spent) / 1000 / this.wallMs;
  }

  /** µs of CPU per event, by part, over every run measured. */
  perEvent(): TCpuSnapshot {
    if (!this.spent || this.events === 0) throw new Error('CpuMeter: nothing measured');
    return scale(this.spent, 1 / this.events);
  }
}

function addUp(a: TCpuSnapshot, b: TCpuSnapshot): TCpuSnapshot {
  const out = { ...a };
  for (const key of Object.keys(b) as (keyof TCpuSnapshot)[]) out[key] += b[key];
  return out;
}

function scale(a: TCpuSnapshot, by: number): TCpuSnapshot {
  const out = { ...a };
  for (const key of Object.keys(a) as (keyof TCpuSnapshot)[]) out[key] *= by;
  return out;
}
