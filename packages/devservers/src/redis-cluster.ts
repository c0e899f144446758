import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort, waitForPort } from './ports.ts';
import { spawnLogged, stopProcess } from './process.ts';
import { REDIS_ACL_RULES, REDIS_USER } from './redis.ts';

const run = promisify(execFile);

export interface LocalRedisCluster {
  /** The value of REDIS_CLUSTER_NODES: `redis://modula:PASSWORD@127.0.0.1:P1,127.0.0.1:P2,…` (carries the password). */
  nodes: string;
  /** Client ports of the masters, then of the replicas. */
  ports: number[];
  /** Kills one node without letting it save anything (failover by hand). */
  kill(port: number): Promise<void>;
  stop(): Promise<void>;
}

interface Options {
  dataDir: string;
  /** Masters (at least 3, as Redis Cluster requires). */
  masters?: number;
  replicasPerMaster?: number;
  appendfsync?: 'always' | 'everysec';
  /** Per node. */
  maxmemory?: string;
  /** How long a master may be unreachable before its replica takes over. */
  nodeTimeoutMs?: number;
  binary?: string;
}

/**
 * Starts a local Redis Cluster for tests and benchmarks: each node configured like `startRedis`
 * (append-only file with fsync per write, noeviction, the `modula` ACL user with the same rights,
 * `default` off), in cluster mode on free ports (client and bus port chosen apart, so no port+10000
 * clash), then joined and given the 16384 slots by `redis-cli --cluster create` as a per-start
 * admin user whose password is never written down. Resolves once every node reports the cluster ok.
 */
export async function startRedisCluster(opts: Options): Promise<LocalRedisCluster> {
  const binary = opts.binary ?? process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
  const cli = join(binary, '..', 'redis-cli');
  if (!existsSync(binary) || !existsSync(cli)) throw new Error(`redis-server and redis-cli not found beside ${binary}; apt-get install -y redis-server`);
  const masters = opts.masters ?? 3;
  if (masters < 3) throw new Error('a Redis Cluster needs at least 3 masters');
  const count = masters * (1 + (opts.replicasPerMaster ?? 0));
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const password = randomBytes(32).toString('hex');
  const adminPassword = randomBytes(32).toString('hex');
  const sha = (p: string) => createHash('sha256').update(p).digest('hex');
  // as in startRedis: `default` is off but keeps its rights (Redis 7.0 replays the AOF as `default`, redis/redis#14541)
  const acl = [
    'user default reset off resetpass ~* &* +@all',
    `user ${REDIS_USER} reset on #${sha(password)} ${REDIS_ACL_RULES}`,
    `user cluster-admin reset on #${sha(adminPassword)} ~* &* +@all`,
  ].join('\n');

  const nodes: { port: number; child: ReturnType<typeof spawnLogged> }[] = [];
  const stopAll = () => Promise.all(nodes.map((n) => stopProcess(n.child, 'SIGTERM')));
  try {
    for (let i = 0; i < count; i++) {
      const port = await findFreePort();
      let bus = await findFreePort();
      while (bus === port) bus = await findFreePort();
      const dir = join(dataDir, `node-${i}`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const aclFile = join(dir, 'users.acl');
      writeFileSync(aclFile, `${acl}\n`, { mode: 0o600 });
      const logFile = join(dir, 'redis.log');
      closeSync(openSync(logFile, 'a', 0o600));
      const args = [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes', '--save', ''],
        ...['--appendonly', 'yes', '--appendfsync', opts.appendfsync ?? 'always'],
        ...['--maxmemory', opts.maxmemory ?? '256mb', '--maxmemory-policy', 'noeviction', '--aclfile', aclFile],
        ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(bus)],
        ...['--cluster-node-timeout', String(opts.nodeTimeoutMs ?? 3000)],
        // the replicas' own link to their master authenticates as the admin user
        ...['--masteruser', 'cluster-admin', '--masterauth', adminPassword],
      ];
      const child = spawnLogged('/bin/sh', ['-c', 'umask 077 && exec "$0" "$@"', binary, ...args], logFile);
      nodes.push({ port, child });
      await waitForPort(port, 30_000, () => child.exitCode === null);
    }
    const env = { ...process.env, REDISCLI_AUTH: adminPassword };
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run(
      cli,
      ['--user', 'cluster-admin', '--cluster', 'create', ...addresses, '--cluster-replicas', String(opts.replicasPerMaster ?? 0), '--cluster-yes'],
      {
        env,
      },
    );
    // every node must know every slot before a client may rely on its answers
    const deadline = Date.now() + 30_000;
    for (const n of nodes) {
      for (;;) {
        const { stdout } = await run(cli, ['--user', 'cluster-admin', '-p', String(n.port), 'cluster', 'info'], { env });
        if (/cluster_state:ok/.test(stdout) && /cluster_slots_ok:16384/.test(stdout)) break;
        if (Date.now() > deadline) throw new Error(`Redis Cluster node ${n.port} not ok after 30 s:\n${stdout}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  const [first, ...rest] = nodes.map((n) => `127.0.0.1:${n.port}`);
  return {
    nodes: [`redis://${REDIS_USER}:${password}@${first}`, ...rest].join(','),
    ports: nodes.map((n) => n.port),
    kill: async (port) => {
      const node = nodes.find((n) => n.port === port);
      if (node) await stopProcess(node.child, 'SIGKILL');
    },
    stop: async () => {
      await stopAll();
    },
  };
}
