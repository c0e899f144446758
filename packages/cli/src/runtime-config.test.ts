import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliConfig } from './runtime-config.ts';

/** What `npm start` records in DATA_DIR/runtime.json, and the CLI run beside it with no URLs in its environment. */
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

function besideNpmStart(runtime: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'modula-runtime-'));
  writeFileSync(join(dataDir, 'runtime.json'), JSON.stringify(runtime));
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'REDIS_CLUSTER_NODES']) delete process.env[name];
  process.env.DATA_DIR = dataDir;
}

describe('the CLI finds the Redis the running system uses', () => {
  it('the Redis Cluster npm start was given, not a local Redis', () => {
    besideNpmStart({ databaseUrl: 'postgres://app:pw@127.0.0.1:5432/modula_audit', redisClusterNodes: '127.0.0.1:7000,127.0.0.1:7001' });
    const config = cliConfig();
    expect(config.REDIS_CLUSTER_NODES).toBeDefined();
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('the local Redis npm start runs', () => {
    besideNpmStart({ databaseUrl: 'postgres://app:pw@127.0.0.1:5432/modula_audit', redisUrl: 'redis://modula:pw@127.0.0.1:63799' });
    expect(cliConfig()).toMatchObject({ REDIS_URL: 'redis://modula:pw@127.0.0.1:63799' });
  });

  it('a Redis named in its own environment wins over the recorded one', () => {
    besideNpmStart({ databaseUrl: 'postgres://app:pw@127.0.0.1:5432/modula_audit', redisUrl: 'redis://modula:pw@127.0.0.1:63799' });
    process.env.REDIS_CLUSTER_NODES = '10.0.0.5:6379';
    const config = cliConfig();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.REDIS_CLUSTER_NODES).toBeDefined();
  });
});
