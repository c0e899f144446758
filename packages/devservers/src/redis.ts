import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnLogged, stopProcess } from './process.ts';
import { waitForPort } from './ports.ts';

export interface LocalRedis {
  url: string;
  port: number;
  /** Kills the server without letting it save anything (fault tests). */
  kill(): Promise<void>;
  /** Stops the server answering while its connections stay open (SIGSTOP), as a hung server does. */
  freeze(): void;
  /** Lets a frozen server answer again (SIGCONT). */
  thaw(): void;
  stop(): Promise<void>;
}

interface Options {
  dataDir: string;
  port: number;
  /** `always` (default): a reply means the write is on disk. `everysec`: up to a second can be lost. */
  appendfsync?: 'always' | 'everysec';
  binary?: string;
}

/**
 * Starts a Redis server configured as BullMQ needs it for a log that must not lose an event:
 * append-only file, fsync per write, and no eviction (an evicted job is a lost event).
 */
export async function startRedis(opts: Options): Promise<LocalRedis> {
  const binary = opts.binary ?? process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
  if (!existsSync(binary)) {
    throw new Error(`redis-server not found at ${binary}; install it (apt-get install -y redis-server) or give REDIS_URL`);
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const args = ['--port', String(opts.port), '--bind', '127.0.0.1', '--dir', opts.dataDir,
    '--appendonly', 'yes', '--appendfsync', opts.appendfsync ?? 'always', '--maxmemory-policy', 'noeviction',
    '--save', '', '--daemonize', 'no', '--protected-mode', 'yes'];
  const child = spawnLogged(binary, args, join(opts.dataDir, 'redis.log'));
  await waitForPort(opts.port, 30_000, () => child.exitCode === null);
  return {
    url: `redis://127.0.0.1:${opts.port}`,
    port: opts.port,
    kill: () => stopProcess(child, 'SIGKILL'),
    freeze: () => { child.kill('SIGSTOP'); },
    thaw: () => { child.kill('SIGCONT'); },
    stop: () => { child.kill('SIGCONT'); return stopProcess(child, 'SIGTERM'); },
  };
}
