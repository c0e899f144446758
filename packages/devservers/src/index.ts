export { startPostgres, type LocalPostgres } from './postgres.ts';
export { startRedis, type LocalRedis } from './redis.ts';
export { startRedisCluster, type LocalRedisCluster } from './redis-cluster.ts';
export { findFreePort } from './ports.ts';
export { stopProcess } from './process.ts';
