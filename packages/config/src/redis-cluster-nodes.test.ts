import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.ts';

const base = { DATABASE_URL: 'postgres://u@localhost/db' };

describe('REDIS_URL / REDIS_CLUSTER_NODES', () => {
  it('needs one of them', () => {
    expect(() => loadConfig(base)).toThrow(ConfigError);
    expect(() => loadConfig(base)).toThrow(/REDIS_URL: required \(or REDIS_CLUSTER_NODES/);
  });

  it('keeps the prefix as it is on one Redis', () => {
    const config = loadConfig({ ...base, REDIS_URL: 'redis://localhost:6379' });
    expect(config.QUEUE_PREFIX).toBe('modula');
    expect(config.REDIS_CLUSTER_NODES).toBeUndefined();
  });

  it('makes the prefix a hash tag on a cluster, so every key of the installation shares one slot', () => {
    const config = loadConfig({ ...base, REDIS_CLUSTER_NODES: ' 10.0.0.1:7000,redis-b:7001 ,[::1]:7002', QUEUE_PREFIX: 'shop-eu' });
    expect(config.QUEUE_PREFIX).toBe('{shop-eu}');
    expect(config.REDIS_CLUSTER_NODES).toBe('10.0.0.1:7000,redis-b:7001 ,[::1]:7002');
    expect(loadConfig({ ...base, REDIS_CLUSTER_NODES: 'rediss://modula:s3cret@redis-a:7000,redis-b:7001' }).QUEUE_PREFIX).toBe('{modula}');
  });

  it.each(['redis-a', 'redis-a:7000;redis-b:7001', 'http://redis-a:7000', 'redis-a:port'])('refuses %s', (value) => {
    expect(() => loadConfig({ ...base, REDIS_CLUSTER_NODES: value })).toThrow(/REDIS_CLUSTER_NODES: must be comma-separated host:port/);
  });
});
