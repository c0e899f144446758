import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '@modula/devservers';
import { watchRedisDurability } from '@modula/queue';
import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../testing/events.ts';

/**
 * The durability check on a Redis Cluster (review F, finding 8): a client not yet connected knows no
 * master, and a failover promotes a replica without the cluster client becoming ready again. Each
 * test runs its own small cluster of plain redis-servers (no ACL, so that the test may CONFIG and
 * CLUSTER them): one master holding every slot, and a replica without an append-only file that a
 * failover promotes.
 */
interface TNode {
  port: number;
  bus: number;
  admin: Redis;
}

const processes: ChildProcess[] = [];
const dirs: string[] = [];
const clients: (Redis | Cluster)[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const p of processes.splice(0)) p.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function startNode(appendonly: 'yes' | 'no'): Promise<TNode> {
  const dir = mkdtempSync(join(tmpdir(), 'modula-durability-cluster-'));
  dirs.push(dir);
  const port = await findFreePort();
  let bus = await findFreePort();
  while (bus === port) bus = await findFreePort();
  processes.push(
    spawn(
      process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server',
      [
        ...['--port', String(port), '--cluster-port', String(bus), '--bind', '127.0.0.1', '--dir', dir],
        ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '1000', '--cluster-announce-ip', '127.0.0.1'],
        ...['--appendonly', appendonly, '--save', '', '--maxmemory-policy', 'noeviction'],
      ],
      { stdio: 'ignore' },
    ),
  );
  const admin = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  admin.on('error', () => {}); // refused while the server starts: the ping below retries
  clients.push(admin);
  await eventually(async () => (await admin.ping().catch(() => undefined)) === 'PONG' || undefined, 10_000, 100);
  return { port, bus, admin };
}

async function startMaster(): Promise<TNode> {
  const master = await startNode('yes');
  await master.admin.cluster('ADDSLOTSRANGE', 0, 16383);
  await eventually(async () => ((await master.admin.cluster('INFO')) as string).includes('cluster_state:ok') || undefined, 10_000);
  return master;
}

/** A replica of `master` that keeps no append-only file (as replicas often run), promoted by a manual failover. */
async function failOverToReplica(master: TNode): Promise<TNode> {
  const replica = await startNode('no');
  await replica.admin.cluster('MEET', '127.0.0.1', master.port, master.bus);
  const masterId = (await master.admin.cluster('MYID')) as string;
  await eventually(async () => ((await replica.admin.cluster('REPLICATE', masterId).catch(() => undefined)) === 'OK' ? true : undefined), 10_000);
  await eventually(async () => ((await replica.admin.info('replication')).includes('master_link_status:up') ? true : undefined), 10_000);
  await replica.admin.cluster('FAILOVER');
  await eventually(async () => ((await replica.admin.info('replication')).includes('role:master') ? true : undefined), 10_000);
  return replica;
}

function recorder() {
  const lines: { level: 'error' | 'warn'; message: string }[] = [];
  return {
    lines,
    log: { error: (message: string) => lines.push({ level: 'error', message }), warn: (message: string) => lines.push({ level: 'warn', message }) },
  };
}

function clusterClient(master: TNode): Cluster {
  // as the server's producer connection (packages/queue createRedis): one retry per command
  const cluster = new Cluster([{ host: '127.0.0.1', port: master.port }], {
    redisOptions: { maxRetriesPerRequest: 1 },
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
  });
  cluster.on('error', () => {});
  clients.push(cluster);
  return cluster;
}

describe("a Redis Cluster's durability settings", () => {
  it('are said not to be known yet by a cluster client not ready (no master known), then read once it is', async () => {
    const master = await startMaster();
    const { lines, log } = recorder();
    // what the server does at start: the check runs at once, before the cluster client is ready
    const cluster = clusterClient(master);
    expect(cluster.nodes('master')).toEqual([]);
    await watchRedisDurability(cluster, log)();
    expect(lines).toEqual([{ level: 'warn', message: expect.stringMatching(/could not be read yet .*checked again when Redis is ready/) }]);
    await eventually(async () => (cluster.status === 'ready' ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    // read once ready: this master keeps an append-only file and never evicts, so nothing more is said
    expect(lines).toHaveLength(1);
  });

  it('are read on the master a failover promotes (ioredis: +node / refresh, not ready)', async () => {
    const master = await startMaster();
    const cluster = clusterClient(master);
    await eventually(async () => (cluster.status === 'ready' ? true : undefined), 10_000);
    const { lines, log } = recorder();
    await watchRedisDurability(cluster, log)();
    expect(lines).toEqual([]);
    const replica = await failOverToReplica(master);
    // the next command is redirected to the new master: the client learns of it, without a 'ready'
    await cluster.set('after-failover', '1');
    const errors = await eventually(async () => {
      const e = lines.filter((l) => l.level === 'error');
      return e.length > 0 ? e : undefined;
    }, 10_000);
    // the new master is named, and only it: the old one (now its replica) keeps an append-only file
    for (const { message } of errors)
      expect(message).toMatch(new RegExp(`^Redis settings: node 127\\.0\\.0\\.1:${replica.port}: Redis keeps no append-only file \\(appendonly no\\)`));
  });

  it('are read again periodically, slots refreshed first, even with no command sent; and no more once the client is closed', async () => {
    const master = await startMaster();
    const cluster = clusterClient(master);
    await eventually(async () => (cluster.status === 'ready' ? true : undefined), 10_000);
    const { lines, log } = recorder();
    await watchRedisDurability(cluster, log, { everyMs: 300 })();
    const replica = await failOverToReplica(master);
    await eventually(
      async () =>
        lines.some((l) => l.level === 'error' && l.message.includes(`127.0.0.1:${replica.port}: Redis keeps no append-only file`)) ? true : undefined,
      10_000,
    );
    cluster.disconnect();
    await eventually(async () => (cluster.status === 'end' ? true : undefined), 5_000);
    const seen = lines.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(lines).toHaveLength(seen);
  });
});
