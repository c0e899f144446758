import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig, type TConfig } from '@modula/config';
import { createTenant, loadSigner, publishSigningKey } from '@modula/domain';
import { buildApp, createServices, createSystemCaller, type TServices } from '@modula/server';
import { startIngestWorker, type TIngestWorker } from '@modula/worker';
import type { FastifyInstance } from 'fastify';
import { pino, type DestinationStream } from 'pino';
import { inject } from 'vitest';
import { createTestDatabase } from './database.ts';

export interface TestStack {
  config: TConfig;
  env: Record<string, string>;
  services: TServices & { close(): Promise<void> };
  app: FastifyInstance;
  baseUrl: string;
  databaseSuperuserUrl: string;
  /** The database owner's login (migrations): for tests that play the owner. */
  databaseOwnerUrl: string;
  worker?: TIngestWorker;
  startWorker(): TIngestWorker;
  caller: ReturnType<typeof createSystemCaller>;
  createTenant(name?: string): Promise<{ tenantId: string; apiKey: string }>;
  close(): Promise<void>;
}

/**
 * The real system for one test file: its own database and queue prefix on the shared servers (or
 * on a Redis Cluster of the test's own: `redisClusterNodes`),
 * the HTTP server on a free port, and (unless `worker: false`) a worker in this process.
 * `logTo` receives the server's and the workers' log lines at `LOG_LEVEL` (otherwise workers log nothing).
 * DATA_DIR (signing key, pinned keys, exports) is a fresh folder unless `env.DATA_DIR` names one:
 * a test never writes the repository's .data. Its signing key is published as the owner does it
 * (`cli migrate`), since the runtime may not.
 */
export async function startStack(
  opts: {
    worker?: boolean;
    env?: Record<string, string>;
    database?: { url: string; ownerUrl: string; superuserUrl: string };
    logTo?: DestinationStream;
    /** REDIS_CLUSTER_NODES of a cluster (`startRedisCluster`) to use instead of the shared Redis: the queue prefix becomes a hash tag. */
    redisClusterNodes?: string;
  } = {},
): Promise<TestStack> {
  const db = opts.database ?? (await createTestDatabase());
  const ownDataDir = opts.env?.DATA_DIR ? undefined : mkdtempSync(join(tmpdir(), 'modula-stack-'));
  const env: Record<string, string> = {
    ...(ownDataDir ? { DATA_DIR: ownDataDir } : {}),
    DATABASE_URL: db.url,
    ...(opts.redisClusterNodes ? { REDIS_CLUSTER_NODES: opts.redisClusterNodes } : { REDIS_URL: inject('redisUrl') }),
    QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
    PORT: '0',
    LOG_LEVEL: 'silent',
    JOB_BACKOFF_MS: '100',
    JOB_BACKOFF_MAX_MS: '1000',
    UNKNOWN_BRANCH_WAITS: '3',
    UNKNOWN_BRANCH_DELAY_MS: '100',
    ...opts.env,
  };
  const config = loadConfig(env);
  await publishSigningKey(db.ownerUrl, loadSigner(config));
  const services = await createServices(config);
  if (opts.logTo) services.log = pino({ name: 'server', level: config.LOG_LEVEL }, opts.logTo);
  const app = await buildApp(services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const workers: TIngestWorker[] = [];
  const startWorker = () => {
    const w = startIngestWorker(config, services.orm, opts.logTo ? pino({ name: 'worker', level: config.LOG_LEVEL }, opts.logTo) : pino({ level: 'silent' }));
    workers.push(w);
    return w;
  };
  const stack: TestStack = {
    config,
    env,
    services,
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    databaseSuperuserUrl: db.superuserUrl,
    databaseOwnerUrl: db.ownerUrl,
    startWorker,
    caller: createSystemCaller(services),
    createTenant: (name = 'Test tenant') => createTenant(services.orm, name),
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await app.close();
      await services.close();
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
    },
  };
  if (opts.worker !== false) stack.worker = startWorker();
  return stack;
}
