import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
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

/** utime + stime of one process so far, ms: a PostgreSQL backend by its pg_backend_pid(), for the statement benches. */
export function processCpuMs(pid: number): number {
  const fields = statFields(pid);
  if (!fields) throw new Error(`no process ${pid}`);
  return cpuMs(fields, false);
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

/** Who made PostgreSQL spend its CPU: the backends of each Node process, autovacuum, its own helpers. */
export type TPostgresShare = Record<'server' | 'worker' | 'other connections' | 'autovacuum' | 'background' | 'exited', number>;

/** Local TCP port → socket inode, from /proc/net/tcp and tcp6. */
function tcpInodesByPort(): Map<number, string> {
  const byPort = new Map<number, string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      byPort.set(Number.parseInt(cols[1]!.split(':')[1]!, 16), cols[9]!);
    }
  }
  return byPort;
}

/** The socket inodes a process holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        /* closed meanwhile */
      }
    }
  } catch {
    /* exited */
  }
  return inodes;
}

/**
 * PostgreSQL's CPU so far, ms, by who asked for it. A backend's process title names its client's
 * port ("postgres: user db 127.0.0.1(PORT) idle"); the Node process holding that port's socket is
 * its client. Backends that exited are "exited" (the postmaster's reaped time): who they served is lost.
 */
export function postgresShares(s: TCpuSources): TPostgresShare {
  const out: TPostgresShare = { server: 0, worker: 0, 'other connections': 0, autovacuum: 0, background: 0, exited: 0 };
  const byPort = tcpInodesByPort();
  const owners = new Map<string, 'server' | 'worker'>();
  for (const role of ['server', 'worker'] as const) for (const pid of s[role]) for (const inode of socketInodes(pid)) owners.set(inode, role);
  for (const pid of allPids()) {
    const f = statFields(pid);
    if (!f) continue;
    if (pid === s.postmaster) {
      out.exited += (Number(f[13]) + Number(f[14])) * TICK_MS;
      out.background += (Number(f[11]) + Number(f[12])) * TICK_MS;
      continue;
    }
    if (Number(f[1]) !== s.postmaster) continue;
    let title = '';
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const port = /\((\d+)\)/.exec(title)?.[1];
    const who = /autovacuum/.test(title)
      ? 'autovacuum'
      : port === undefined
        ? 'background'
        : (owners.get(byPort.get(Number(port)) ?? '') ?? 'other connections');
    out[who] += cpuMs(f, false);
  }
  return out;
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
  private postgresSpent: TPostgresShare | null = null;
  private postgresBegun: TPostgresShare | null = null;
  private begunAt = 0;
  private wallMs = 0;
  private events = 0;
  constructor(private readonly sources: TCpuSources) {}

  start(): void {
    this.begun = cpuSnapshot(this.sources);
    this.postgresBegun = postgresShares(this.sources);
    this.begunAt = performance.now();
  }

  stop(events: number): void {
    if (!this.begun) throw new Error('CpuMeter.stop before start');
    const now = cpuSnapshot(this.sources);
    const run = cpuPerEvent(this.begun, now, 1); // µs in all: per one "event"
    this.spent = this.spent ? addUp(this.spent, run) : run;
    const postgres = difference(this.postgresBegun!, postgresShares(this.sources));
    this.postgresSpent = this.postgresSpent ? addUp(this.postgresSpent, postgres) : postgres;
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

  /** µs of PostgreSQL's CPU per event, by who asked for it (postgresShares). */
  postgresPerEvent(): TPostgresShare {
    if (!this.postgresSpent || this.events === 0) throw new Error('CpuMeter: nothing measured');
    return scale(this.postgresSpent, 1000 / this.events);
  }
}

function difference<T extends Record<string, number>>(before: T, after: T): T {
  const out = { ...after };
  for (const key of Object.keys(before) as (keyof T)[]) (out[key] as number) -= before[key] as number;
  return out;
}

function addUp<T extends Record<string, number>>(a: T, b: T): T {
  const out = { ...a };
  for (const key of Object.keys(b) as (keyof T)[]) (out[key] as number) += b[key] as number;
  return out;
}

function scale<T extends Record<string, number>>(a: T, by: number): T {
  const out = { ...a };
  for (const key of Object.keys(a) as (keyof T)[]) (out[key] as number) *= by;
  return out;
}
