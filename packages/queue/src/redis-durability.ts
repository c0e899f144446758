import { Cluster, type Redis } from 'ioredis';
import type { TRedis } from './connection.ts';

/** `key:value` lines of a section of INFO. */
function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}

/**
 * What in a Redis's own settings breaks DESIGN's durability promise: an acknowledged event is in
 * Redis's append-only file, and no queued job is ever evicted. `npm start`'s Redis is set so; an
 * operator's own (a managed one, REDIS_URL) may not be, and nothing else would say so: events are
 * acknowledged and then lost in a restart. Read with INFO, which the service's restricted user may
 * run (CONFIG is refused to it, and to it on most managed Redis). An empty list when all is well.
 */
export async function redisDurabilityProblems(redis: TRedis): Promise<string[]> {
  // a cluster's nodes are set one by one: each master holds some tenants' queued jobs
  if (redis instanceof Cluster) {
    const masters = redis.nodes('master');
    // a cluster client not yet connected knows no node: an empty list would read as "all is well"
    if (masters.length === 0) throw new Error('no master of the Redis Cluster is known yet');
    const perNode = await Promise.all(
      masters.map(async (node) => (await nodeProblems(node)).map((p) => `node ${node.options.host}:${node.options.port}: ${p}`)),
    );
    return perNode.flat();
  }
  return nodeProblems(redis);
}

async function nodeProblems(redis: Redis): Promise<string[]> {
  const info = infoFields(`${await redis.info('persistence')}\n${await redis.info('memory')}`);
  const problems: string[] = [];
  if (info.get('aof_enabled') !== '1')
    problems.push(
      'Redis keeps no append-only file (appendonly no): an event acknowledged before a Redis restart can be lost; set appendonly yes with appendfsync always',
    );
  const policy = info.get('maxmemory_policy');
  if (policy !== undefined && policy !== 'noeviction')
    problems.push(`Redis evicts keys when full (maxmemory-policy ${policy}): queued events can be dropped; set maxmemory-policy noeviction`);
  return problems;
}

/** Ten minutes: a setting changed by hand (CONFIG SET) or a failover the client did not see is said within that. */
const RECHECK_EVERY_MS = 10 * 60_000;

/**
 * Says at once, and again whenever the servers may have changed, what in Redis's settings breaks the
 * durability promise: each time the connection becomes ready (Redis was down at the start), for a
 * cluster each time the client learns of a node or of new slots (a failover promotes a replica
 * without the client becoming ready again), and every `everyMs` (a cluster's slots refreshed first).
 * A check that cannot run yet is said too, not swallowed: an operator must not read silence as "all
 * is well". The same line is said at most once per `everyMs`, so a cluster's frequent slot refreshes
 * do not flood the log; it stops when the connection is closed.
 */
export function watchRedisDurability(
  redis: TRedis,
  log: { error(message: string): void; warn(message: string): void },
  { everyMs = RECHECK_EVERY_MS }: { everyMs?: number } = {},
): () => Promise<void> {
  const saidAt = new Map<string, number>();
  const say = (key: string, line: () => void) => {
    const now = Date.now();
    if (now - (saidAt.get(key) ?? Number.NEGATIVE_INFINITY) < everyMs) return;
    saidAt.set(key, now);
    line();
  };
  const check = async () => {
    try {
      for (const problem of await redisDurabilityProblems(redis)) say(problem, () => log.error(`Redis settings: ${problem}`));
    } catch (err) {
      say('unread', () => log.warn(`Redis settings could not be read yet (${(err as Error).message}): they are checked again when Redis is ready`));
    }
  };
  const recheck = () => void check();
  redis.on('ready', recheck);
  if (redis instanceof Cluster) {
    redis.on('+node', recheck);
    redis.on('refresh', recheck);
  }
  const timer = setInterval(() => {
    if (redis instanceof Cluster) redis.refreshSlotsCache(recheck);
    else recheck();
  }, everyMs);
  timer.unref();
  redis.once('end', () => clearInterval(timer));
  return check;
}
