import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '@modula/config';
import { migrate } from '@modula/db';
import { findFreePort, type LocalPostgres, type LocalRedis, startPostgres, startRedis, stopProcess } from '@modula/devservers';
import { loadSigner, publishSigningKey } from '@modula/domain';

const ROOT = resolve(import.meta.dirname, '..');

/** A PostgreSQL and a Redis of the bench's own, and what it starts on them. */
export interface TBenchSystem {
  pg: LocalPostgres;
  redis: LocalRedis;
  /** A folder of the run's own, removed by stop(). */
  dir: string;
  /** What the server and the worker are given. */
  env: Record<string, string>;
  baseUrl: string;
  /** Starts `server/src/main.ts` or `worker/src/main.ts` on them (a V8 profile into BENCH_PROFILE when set). */
  spawn(entry: string): ChildProcess;
  /** Stops what it spawned, then Redis and PostgreSQL, and removes the folder. */
  stop(): Promise<void>;
}

/**
 * Starts the servers, migrates, and publishes the signing key as `npm start` does (or the server and
 * the worker refuse to start). `settings` are added to the environment of what it spawns.
 */
export async function startBenchSystem(name: string, settings: Record<string, string>): Promise<TBenchSystem> {
  const dir = mkdtempSync(join(tmpdir(), `modula-${name}-`));
  chmodSync(dir, 0o755);
  const pg = await startPostgres({ dataDir: join(dir, 'postgres'), port: await findFreePort() });
  const redis = await startRedis({ dataDir: join(dir, 'redis'), port: await findFreePort() });
  const port = await findFreePort();
  const env = {
    ...process.env,
    DATABASE_URL: pg.appUrl,
    REDIS_URL: redis.url,
    DATA_DIR: join(dir, 'data'),
    PORT: String(port),
    LOG_LEVEL: 'warn',
    // a scheduled checkpoint hashes a tenant's whole new log: keep it from competing with the figures
    CHECKPOINT_EVERY_MINUTES: '1440',
    ...settings,
  } as Record<string, string>;
  const children: ChildProcess[] = [];
  const system: TBenchSystem = {
    pg,
    redis,
    dir,
    env,
    baseUrl: `http://127.0.0.1:${port}`,
    spawn(entry) {
      const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
      const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(ROOT, entry)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(child);
      return child;
    },
    async stop() {
      // server and worker stop before Redis and PostgreSQL, or a job in flight waits on them forever
      await Promise.all(children.map((child) => stopProcess(child, 'SIGTERM', 30_000)));
      await redis.stop();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await migrate(pg.url);
    await publishSigningKey(pg.url, loadSigner(loadConfig(env)));
  } catch (err) {
    await system.stop();
    throw err;
  }
  return system;
}
