import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@modula/db';
import { findFreePort, startPostgres, startRedis } from '@modula/devservers';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    superuserUrl: string;
    ownerUrlTemplate: string;
    appUrlTemplate: string;
    redisUrl: string;
    redisPort: number;
    redisDataDir: string;
  }
}

export const TEMPLATE_DB = 'modula_template';

/**
 * One real PostgreSQL and one real Redis for the whole run, on free ports in a throwaway folder.
 * The schema is migrated once into a template database; each test file clones it.
 */
export default async function setup(project: TestProject) {
  const root = mkdtempSync(join(tmpdir(), 'modula-test-'));
  chmodSync(root, 0o755); // PostgreSQL runs as an unprivileged user when we are root
  const postgres = await startPostgres({ dataDir: join(root, 'postgres'), port: await findFreePort(), fsync: false, database: TEMPLATE_DB });
  await migrate(postgres.url);
  // connections to the template must be gone before CREATE DATABASE ... TEMPLATE can copy it
  const admin = new pg.Client({ connectionString: postgres.superuserUrl });
  await admin.connect();
  await admin.query(`alter database ${TEMPLATE_DB} is_template true`);
  await admin.end();
  const redisDataDir = join(root, 'redis');
  const redis = await startRedis({ dataDir: redisDataDir, port: await findFreePort() });

  project.provide('superuserUrl', postgres.superuserUrl);
  project.provide('ownerUrlTemplate', postgres.url);
  project.provide('appUrlTemplate', postgres.appUrl);
  project.provide('redisUrl', redis.url);
  project.provide('redisPort', redis.port);
  project.provide('redisDataDir', redisDataDir);

  return async () => {
    await redis.stop();
    await postgres.stop();
    rmSync(root, { recursive: true, force: true });
  };
}
