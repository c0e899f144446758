import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

type TWarn = (fields: { err: string }, message: string) => void;

/** A connection to one Redis or to a Redis Cluster: every command the service sends works on both. */
export type TRedis = Redis | Cluster;

/** Where Redis is: the configuration's two variables (REDIS_CLUSTER_NODES wins when both are set). */
export interface TRedisTarget {
  REDIS_URL?: string | undefined;
  REDIS_CLUSTER_NODES?: string | undefined;
}

/**
 * The seed nodes of REDIS_CLUSTER_NODES (`host:port` or `redis[s]://[user:password@]host:port`,
 * comma-separated) and the options every node gets: the credentials and TLS of the first URL.
 */
export function parseClusterNodes(list: string): { nodes: { host: string; port: number }[]; auth: Pick<RedisOptions, 'username' | 'password' | 'tls'> } {
  let auth: Pick<RedisOptions, 'username' | 'password' | 'tls'> | undefined;
  const nodes = list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const url = new URL(/^rediss?:\/\//.test(entry) ? entry : `redis://${entry}`);
      if (!auth && (url.username || url.password || url.protocol === 'rediss:')) {
        auth = {
          ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
          ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
          ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
        };
      }
      return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || 6379) };
    });
  if (nodes.length === 0) throw new Error('REDIS_CLUSTER_NODES names no node');
  return { nodes, auth: auth ?? {} };
}

/**
 * The one place a Redis connection is made (server, worker, CLI, tests, benchmarks). Producers
 * fail fast when Redis is down (an API call must answer, not hang), while workers wait forever
 * for Redis to come back (BullMQ requires `maxRetriesPerRequest: null` for them). With
 * REDIS_CLUSTER_NODES it is an ioredis `Cluster` with the same two behaviours per node; during a
 * failover a producer's command is retried while the cluster reports itself down or moving
 * (ioredis: `retryDelayOnFailover`, `retryDelayOnClusterDown`), then fails (503 to the caller).
 * Connection errors are reported once per outage, not once per reconnect attempt.
 */
export function createRedis(target: TRedisTarget | string, role: 'producer' | 'worker', warn?: TWarn): TRedis {
  const { REDIS_URL, REDIS_CLUSTER_NODES } = typeof target === 'string' ? { REDIS_URL: target, REDIS_CLUSTER_NODES: undefined } : target;
  const perConnection: RedisOptions =
    role === 'worker' ? { maxRetriesPerRequest: null, enableReadyCheck: true } : { maxRetriesPerRequest: 1, connectTimeout: 5000 };
  let redis: TRedis;
  if (REDIS_CLUSTER_NODES) {
    const { nodes, auth } = parseClusterNodes(REDIS_CLUSTER_NODES);
    // BullMQ reads its options from the cluster's redisOptions. A Queue made while a cluster is
    // `connect` but not yet `ready` does not wait (BullMQ takes `connect` as connected for a
    // Cluster) and sends INFO for its version check at once; without an offline queue that fails,
    // and the Queue stays broken for the life of the process. Producers skip the check (workers
    // queue the INFO until ready and keep it).
    const bullmq = role === 'producer' ? { skipVersionCheck: true } : {};
    const options: ClusterOptions = {
      redisOptions: { ...perConnection, ...auth, ...bullmq },
      enableReadyCheck: true,
      enableOfflineQueue: role === 'worker',
      // a failover takes cluster-node-timeout plus an election: retry redirected and refused commands meanwhile
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 200,
    };
    redis = new Cluster(nodes, options);
  } else if (REDIS_URL) {
    redis = new Redis(REDIS_URL, { ...perConnection, ...(role === 'worker' ? {} : { enableOfflineQueue: false }), lazyConnect: false });
  } else {
    throw new Error('neither REDIS_URL nor REDIS_CLUSTER_NODES is set');
  }
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    warn?.({ err: err.message }, 'Redis unreachable; reconnecting');
  });
  redis.on('ready', () => {
    down = false;
  });
  return redis;
}

/**
 * For one-shot tools (the CLI): resolves once the connection is ready, or fails after `timeoutMs`
 * with the last error Redis gave (a wrong password, a closed port) instead of waiting forever.
 */
export function redisReady(redis: TRedis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let last = 'no answer';
    const onError = (err: Error) => {
      last = err.message;
    };
    redis.on('error', onError);
    const timer = setTimeout(() => {
      redis.off('error', onError);
      reject(new Error(`Redis is not reachable (${last}) after ${timeoutMs / 1000} s: check REDIS_URL (or REDIS_CLUSTER_NODES) and its password`));
    }, timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      redis.off('error', onError);
      resolve();
    });
  });
}
