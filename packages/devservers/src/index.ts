export { startPostgres, type LocalPostgres } from './postgres.ts';
export { startRedis, type LocalRedis } from './redis.ts';
export { findFreePort } from './ports.ts';
export { stopProcess } from './process.ts';
