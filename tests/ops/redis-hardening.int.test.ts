import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { findFreePort, startRedis, type LocalRedis } from '@modula/devservers';
import { redisDurabilityProblems, watchRedisDurability } from '@modula/queue';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, getTrpc, makeEvent, postTrpc } from '../../testing/events.ts';
import { untilStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * Issue 12, Redis: the queue holds acknowledged events that are not in PostgreSQL yet, so it is
 * treated as the log itself. Looked at as an attacker on the machine (or the network) would: a
 * client without the password gets nothing, the password's user cannot reconfigure the server,
 * the files are the owner's only, memory is bounded (noeviction then refuses, and ingest says
 * 503 acknowledging nothing), and no completed job keeps a copy of its events.
 */
const redisUrl = inject('redisUrl');
const redisPort = inject('redisPort');
const redisDataDir = inject('redisDataDir');

/**
 * Sends commands on a bare TCP connection, as any process on the machine could, and returns the
 * first line of each reply (an error reply is one line: `-NOAUTH …`).
 */
async function rawReplies(port: number, commands: string[][]): Promise<string[]> {
  const socket = createConnection(port, '127.0.0.1');
  await once(socket, 'connect');
  const lines: string[] = [];
  let buffer = '';
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
      lines.push(buffer.slice(0, i));
      buffer = buffer.slice(i + 2);
    }
  });
  const replies: string[] = [];
  try {
    for (const cmd of commands) {
      const seen = lines.length;
      socket.write(`*${cmd.length}\r\n${cmd.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
      const deadline = Date.now() + 5000;
      while (lines.length === seen) {
        if (Date.now() > deadline || socket.destroyed) throw new Error(`no reply to ${cmd[0]}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      replies.push(lines[seen]!);
    }
  } finally {
    socket.destroy();
  }
  return replies;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    return d.isDirectory() ? [path, ...walk(path)] : [path];
  });
}

function infoField(info: string, field: string): string | undefined {
  return info
    .split(/\r?\n/)
    .find((l) => l.startsWith(`${field}:`))
    ?.slice(field.length + 1);
}

describe('the test Redis (started by startRedis, as npm start starts its own)', () => {
  it('refuses a client without the password: NOAUTH for commands, WRONGPASS for guesses and for the default user', async () => {
    const password = decodeURIComponent(new URL(redisUrl).password);
    const replies = await rawReplies(redisPort, [
      ['GET', 'anything'],
      ['SCAN', '0'],
      ['KEYS', '*'],
      ['CONFIG', 'GET', 'dir'],
      ['FLUSHALL'],
      // AUTH <password> authenticates as `default`: disabled, whatever the password
      ['AUTH', 'guess'],
      ['AUTH', 'default', ''],
      ['AUTH', 'default', password],
      ['AUTH', 'modula', 'not-the-password'],
      ['HELLO', '3', 'AUTH', 'modula', 'not-the-password'],
      ['HELLO', '3', 'AUTH', 'default', password],
      ['GET', 'anything'], // still refused after the failed attempts
    ]);
    expect(replies).toEqual([
      ...Array(5).fill(expect.stringMatching(/^-NOAUTH/)),
      ...Array(6).fill(expect.stringMatching(/^-WRONGPASS/)),
      expect.stringMatching(/^-NOAUTH/),
    ]);
  });

  it('gives the service a long random password in its URL, and its user cannot reconfigure or inspect the server', async () => {
    const url = new URL(redisUrl);
    expect(url.username).toBe('modula');
    expect(decodeURIComponent(url.password).length).toBeGreaterThanOrEqual(32);
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 0 });
    try {
      expect(await client.call('ACL', 'WHOAMI')).toBe('modula');
      // harmless forms of the admin commands (the shared server must survive a failing test);
      // DEBUG and MODULE are also off in Redis itself (enable-debug-command, enable-module-command)
      const refused = [
        ['CONFIG', 'GET', 'dir'],
        ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
        ['ACL', 'LIST'],
        ['ACL', 'SETUSER', 'default', 'on'],
        ['ACL', 'SAVE'],
        ['REPLICAOF', 'NO', 'ONE'],
        ['KEYS', 'no-such-key-*'],
        ['MONITOR'],
        ['BGREWRITEAOF'],
        ['SLOWLOG', 'GET'],
        ['CLIENT', 'KILL', 'ID', '999999999'],
        ['DEBUG', 'SLEEP', '0'],
        ['MODULE', 'LIST'],
      ];
      const answers = await Promise.all(
        refused.map((cmd) =>
          client.call(cmd[0]!, ...cmd.slice(1)).then(
            () => 'allowed',
            (err: Error) => err.message,
          ),
        ),
      );
      expect(Object.fromEntries(refused.map((cmd, i) => [cmd.join(' '), answers[i]]))).toEqual(
        Object.fromEntries(refused.map((cmd) => [cmd.join(' '), expect.stringMatching(/^NOPERM|^ERR (DEBUG|MODULE) command not allowed/)])),
      );
      // what BullMQ and its dashboard need does work
      expect(await client.info('server')).toMatch(/redis_version:/);
      expect(await client.call('CLIENT', 'SETNAME', 'redis-hardening')).toBe('OK');
      expect(String(await client.call('CLIENT', 'LIST'))).toContain('name=redis-hardening');
    } finally {
      client.disconnect();
    }
  });

  it('keeps its data dir (append-only file, ACL, password, log) readable by its owner only', async () => {
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 0 });
    await client.set('redis-hardening:probe', 'x'); // something in the append-only file
    client.disconnect();
    const paths = walk(redisDataDir);
    expect(paths.some((p) => p.endsWith('.aof'))).toBe(true);
    const loose = [redisDataDir, ...paths]
      .map((p) => ({ p, s: statSync(p) }))
      .filter(({ s }) => (s.mode & 0o077) !== 0 || (s.isDirectory() && (s.mode & 0o700) !== 0o700))
      .map(({ p, s }) => `${p} ${(s.mode & 0o777).toString(8)}`);
    expect(loose).toEqual([]);
  });

  it('writes the password to no file but its own: not the ACL file, not the append-only file, not the log', () => {
    const password = decodeURIComponent(new URL(redisUrl).password);
    const holders = walk(redisDataDir).filter((p) => statSync(p).isFile() && readFileSync(p, 'latin1').includes(password));
    expect(holders).toHaveLength(1);
    expect(readFileSync(holders[0]!, 'utf8').trim()).toBe(password);
  });

  it('has a memory limit, so that noeviction refuses writes before the machine runs out', async () => {
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 0 });
    try {
      const memory = await client.info('memory');
      expect(Number(infoField(memory, 'maxmemory'))).toBeGreaterThan(0);
      expect(infoField(memory, 'maxmemory_policy')).toBe('noeviction');
      expect(infoField(await client.info('persistence'), 'aof_enabled')).toBe('1');
    } finally {
      client.disconnect();
    }
  });
});

describe('a restart of the password-protected Redis', () => {
  it('keeps its password and replays every write of its append-only file, those of scripts and transactions too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modula-redis-restart-'));
    const port = await findFreePort();
    let redis = await startRedis({ dataDir: dir, port });
    try {
      const url = redis.url;
      let client = new Redis(url, { maxRetriesPerRequest: 0 });
      // BullMQ writes through Lua scripts, which the append-only file records as MULTI/EXEC
      await client.eval("redis.call('SET', KEYS[1], ARGV[1]); redis.call('ZADD', KEYS[2], 1, ARGV[1])", 2, 'script:string', 'script:zset', 'from a script');
      await client.multi().set('multi:string', 'from a transaction').rpush('multi:list', 'a', 'b').exec();
      await client.set('plain:string', 'plain');
      client.disconnect();
      await redis.kill();
      redis = await startRedis({ dataDir: dir, port });
      expect(redis.url).toBe(url);
      client = new Redis(redis.url, { maxRetriesPerRequest: 0 });
      try {
        expect(await client.mget('script:string', 'multi:string', 'plain:string')).toEqual(['from a script', 'from a transaction', 'plain']);
        expect(await client.zrange('script:zset', '0', '-1')).toEqual(['from a script']);
        expect(await client.lrange('multi:list', 0, -1)).toEqual(['a', 'b']);
      } finally {
        client.disconnect();
      }
      expect(readFileSync(join(dir, 'redis.log'), 'utf8')).not.toMatch(/NOPERM|CRITICAL/);
    } finally {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('completed ingest jobs', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('leave no copy of their events in Redis once stored', async () => {
    const { tenantId } = await stack.createTenant('Nothing left in Redis');
    const events = Array.from({ length: 30 }, (_, i) => makeEvent(tenantId, { metadata: { n: i } }));
    for (let i = 0; i < events.length; i += 10) {
      expect((await stack.caller.ingest.batch({ events: events.slice(i, i + 10) })).accepted).toHaveLength(10);
    }
    const ids = events.map((e) => e.eventId);
    await untilStored(stack, tenantId, ids);
    await eventually(async () => {
      const c = await stack.services.ingestQueue.counts();
      return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) === 0 ? true : undefined;
    });

    const redis = new Redis(stack.env.REDIS_URL!);
    try {
      const prefix = stack.config.QUEUE_PREFIX;
      const jobKey = new RegExp(`^${prefix}:audit-ingest:[^:]+$`);
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      const completedWithData: string[] = [];
      const dump: string[] = [];
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'hash') {
          const hash = await redis.hgetall(key);
          if (jobKey.test(key) && hash.finishedOn && !hash.failedReason && hash.data) completedWithData.push(key);
          dump.push(JSON.stringify(hash));
        } else if (type === 'list') dump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'set') dump.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') dump.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
        else if (type === 'string') dump.push((await redis.get(key)) ?? '');
        else if (type === 'stream') dump.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
      expect(completedWithData).toEqual([]);
      expect(await redis.zcard(`${prefix}:audit-ingest:completed`)).toBe(0);
      const everything = dump.join('\n');
      expect(ids.filter((id) => everything.includes(id))).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});

describe('a full Redis', () => {
  let dir: string;
  let small: LocalRedis;
  let stack: TestStack;
  const logLines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modula-redis-full-'));
    small = await startRedis({ dataDir: dir, port: await findFreePort(), maxmemory: '2mb' });
    stack = await startStack({
      env: { REDIS_URL: small.url, LOG_LEVEL: 'debug' },
      logTo: new Writable({
        write(chunk, _enc, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    });
  });
  afterAll(async () => {
    await stack?.close();
    await small?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes ingest answer 503 and acknowledge nothing; once there is room, the same batch is accepted and stored once', async () => {
    const tenant = await stack.createTenant('Full Redis');
    const filler = new Redis(small.url, { maxRetriesPerRequest: 0 });
    let filled = 0;
    let refusal = '';
    try {
      for (; filled < 4096 && !refusal; filled++) {
        await filler.set(`fill:${filled}`, 'x'.repeat(16_384)).catch((err: Error) => {
          refusal = err.message;
        });
      }
      expect(refusal).toMatch(/OOM/); // the limit exists: 2 MB, not the machine's memory

      const events = Array.from({ length: 20 }, () => makeEvent(tenant.tenantId));
      const ids = events.map((e) => e.eventId);
      for (let attempt = 0; attempt < 3; attempt++) {
        const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events }, tenant.apiKey);
        expect(res.status).toBe(503);
        expect(res.body.result).toBeUndefined();
        expect(res.body.error.data.code).toBe('SERVICE_UNAVAILABLE');
      }
      // refused where Redis first said so: counting the key's rate, or queueing the events (which one
      // depends on how full Redis is at that instant); either way nothing is acknowledged
      expect(logLines.filter((l) => l.includes('could not queue accepted events') || l.includes("could not count an API key's ingest rate")).join('')).toMatch(
        /OOM command not allowed/,
      );
      // nothing was acknowledged: neither stored nor pending
      const unknown = await getTrpc(stack.baseUrl, 'ingest.status', { eventIds: ids }, tenant.apiKey);
      expect(unknown.body.result.data.statuses.map((s: { state: string }) => s.state)).toEqual(ids.map(() => 'UNKNOWN'));

      for (let i = 0; i < filled; i++) await filler.del(`fill:${i}`);
      const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events }, tenant.apiKey);
      expect(res.status).toBe(200);
      expect(res.body.result.data.accepted).toEqual(ids);
      const statuses = await eventually(async () => {
        const r = await getTrpc(stack.baseUrl, 'ingest.status', { eventIds: ids }, tenant.apiKey);
        const s = r.body.result.data.statuses as { state: string; seq: number }[];
        return s.every((x) => x.state === 'STORED') ? s : undefined;
      }, 30_000);
      expect(statuses.map((s) => s.seq)).toEqual(ids.map((_, i) => i + 1));
      // the password of this Redis is in no log line of the server or the worker (debug level)
      const password = decodeURIComponent(new URL(small.url).password);
      if (password) expect(logLines.filter((l) => l.includes(password))).toEqual([]);
    } finally {
      filler.disconnect();
    }
  }, 120_000);
});

describe("a Redis's durability settings, read at the server's start", () => {
  it('are right in the Redis npm start runs (the suite runs on one): append-only file, no eviction', async () => {
    const redis = new Redis(redisUrl);
    try {
      expect(await redisDurabilityProblems(redis)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it("are named when an operator's own Redis keeps no append-only file or evicts keys", async () => {
    const port = await findFreePort();
    const server = spawn(
      process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'no', '--save', '', '--maxmemory-policy', 'allkeys-lru'],
      {
        stdio: 'ignore',
      },
    );
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    redis.on('error', () => {}); // refused while the server starts: the ping below retries
    try {
      await eventually(async () => (await redis.ping().catch(() => undefined)) === 'PONG' || undefined, 10_000, 100);
      const problems = await redisDurabilityProblems(redis);
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/keeps no append-only file \(appendonly no\)/);
      expect(problems[1]).toMatch(/evicts keys when full \(maxmemory-policy allkeys-lru\)/);
    } finally {
      redis.disconnect();
      server.kill('SIGKILL');
    }
  });

  it('are read again once a Redis that was down at the start comes up, and a check that cannot run says so', async () => {
    const port = await findFreePort();
    const lines: { level: 'error' | 'warn'; message: string }[] = [];
    const log = { error: (message: string) => lines.push({ level: 'error', message }), warn: (message: string) => lines.push({ level: 'warn', message }) };
    // as the server's producer connection: one retry per command, reconnecting every 100 ms
    const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    redis.on('error', () => {});
    let server: ReturnType<typeof spawn> | undefined;
    try {
      await watchRedisDurability(redis, log)();
      expect(lines).toEqual([{ level: 'warn', message: expect.stringMatching(/could not be read yet .*checked again when Redis is ready/) }]);
      server = spawn(
        process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'no', '--save', '', '--maxmemory-policy', 'noeviction'],
        { stdio: 'ignore' },
      );
      await eventually(async () => lines.some((l) => l.level === 'error') || undefined, 15_000, 100);
      expect(lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
        expect.stringMatching(/^Redis settings: Redis keeps no append-only file \(appendonly no\)/),
      ]);
    } finally {
      redis.disconnect();
      server?.kill('SIGKILL');
    }
  });
});
