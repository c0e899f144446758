import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnLogged, stopProcess } from './process.ts';
import { waitForPort } from './ports.ts';

export interface LocalRedis {
  /** `redis://modula:PASSWORD@127.0.0.1:PORT`: carries the password, never print or log it. */
  url: string;
  port: number;
  /** The ACL user of the URL. */
  user: string;
  /** The owner-only file beside the data that holds the password. */
  passwordFile: string;
  /** The memory limit in force (Redis syntax, e.g. `1gb`). */
  maxmemory: string;
  /** The server's process id (the bench reads its CPU time from /proc). */
  pid: number;
  /** Kills the server without letting it save anything (fault tests). */
  kill(): Promise<void>;
  /** Stops the server answering while its connections stay open (SIGSTOP), as a hung server does. */
  freeze(): void;
  /** Lets a frozen server answer again (SIGCONT). */
  thaw(): void;
  stop(): Promise<void>;
}

interface Options {
  dataDir: string;
  port: number;
  /** `always` (default): a reply means the write is on disk. `everysec`: up to a second can be lost. */
  appendfsync?: 'always' | 'everysec';
  /**
   * Memory limit (`REDIS_MAXMEMORY`: bytes or `512mb`, `2gb`…). Past it, `noeviction` refuses
   * writes (ingest answers 503) instead of the machine running out. Default: 1gb, or half the
   * machine's memory when that is less.
   */
  maxmemory?: string;
  binary?: string;
}

/** The service's ACL user. */
export const REDIS_USER = 'modula';
const PASSWORD_FILE = 'redis.password';
const ACL_FILE = 'users.acl';

/**
 * What the service's user may do: every command on every key and channel except Redis's
 * `@dangerous` category (CONFIG, ACL, DEBUG, MODULE, SHUTDOWN, FLUSHALL, REPLICAOF, KEYS, MONITOR,
 * SAVE…), with the two of it that BullMQ and its dashboard call: INFO (BullMQ's version and
 * eviction-policy check, ioredis's ready check, the dashboard's memory figures) and CLIENT LIST
 * (the dashboard's list of workers). The `default` user is off: a client without the password
 * gets NOAUTH, whatever it sends (see the ACL file below for why it keeps its permissions).
 */
export const REDIS_ACL_RULES = '~* &* +@all -@dangerous +info +client|list';

const MAXMEMORY = /^[1-9][0-9]*(b|k|kb|m|mb|g|gb)?$/i;

function defaultMaxmemory(): string {
  const half = Math.floor(totalmem() / 2);
  return half < 1024 ** 3 ? String(half) : '1gb';
}

/** The password, generated on first start and kept beside the data, readable by its owner only. */
function passwordOf(dataDir: string): string {
  const file = join(dataDir, PASSWORD_FILE);
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(kept)) throw new Error(`${file} does not hold a Redis password (64 hex digits); remove it to have a new one generated`);
    return kept;
  }
  const password = randomBytes(32).toString('hex');
  writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}

/** Folders 0700, files 0600 (or stricter): data written before this rule existed is tightened too. */
function ownerOnly(path: string): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    chmodSync(path, 0o700);
    for (const name of readdirSync(path)) ownerOnly(join(path, name));
  } else if (st.isFile() && (st.mode & 0o077) !== 0) {
    chmodSync(path, st.mode & 0o700);
  }
}

/**
 * Starts a Redis server configured as BullMQ needs it for a log that must not lose an event:
 * append-only file, fsync per write, no eviction (an evicted job is a lost event) within a memory
 * limit, one password-protected ACL user, and its files readable by the user it runs as only.
 */
export async function startRedis(opts: Options): Promise<LocalRedis> {
  const binary = opts.binary ?? process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
  if (!existsSync(binary)) {
    throw new Error(`redis-server not found at ${binary}; install it (apt-get install -y redis-server) or give REDIS_URL`);
  }
  const maxmemory = opts.maxmemory?.trim() || defaultMaxmemory();
  if (!MAXMEMORY.test(maxmemory)) throw new Error(`REDIS_MAXMEMORY must be a size above 0 such as 1gb or 512mb, not "${maxmemory}"`);
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const password = passwordOf(dataDir);
  const aclFile = join(dataDir, ACL_FILE);
  // Only the password's SHA-256 in the ACL file; rewritten at each start, so the rules are this version's.
  // `default` is off and has no password: no connection can be it. It keeps every permission because
  // Redis 7.0 replays the append-only file as `default` and re-checks each MULTI/EXEC (every Lua
  // script's writes) against its rules: without them, a restart would silently drop the queue
  // (redis/redis#14541, fixed in later Redis; tests/faults/redis-kill.int.test.ts catches it).
  writeFileSync(
    aclFile,
    `user default reset off resetpass ~* &* +@all\nuser ${REDIS_USER} reset on #${createHash('sha256').update(password).digest('hex')} ${REDIS_ACL_RULES}\n`,
    { mode: 0o600 },
  );
  const logFile = join(dataDir, 'redis.log');
  closeSync(openSync(logFile, 'a', 0o600));
  ownerOnly(dataDir);

  const args = [
    '--port',
    String(opts.port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dataDir,
    '--appendonly',
    'yes',
    '--appendfsync',
    opts.appendfsync ?? 'always',
    '--maxmemory',
    maxmemory,
    '--maxmemory-policy',
    'noeviction',
    '--aclfile',
    aclFile,
    '--save',
    '',
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
  ];
  // umask 077: the files Redis creates (append-only file, its rewrites) are its user's only
  const child = spawnLogged('/bin/sh', ['-c', 'umask 077 && exec "$0" "$@"', binary, ...args], logFile);
  await waitForPort(opts.port, 30_000, () => child.exitCode === null);
  return {
    url: `redis://${REDIS_USER}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}`,
    port: opts.port,
    user: REDIS_USER,
    passwordFile: join(dataDir, PASSWORD_FILE),
    maxmemory,
    pid: child.pid!,
    kill: () => stopProcess(child, 'SIGKILL'),
    freeze: () => {
      child.kill('SIGSTOP');
    },
    thaw: () => {
      child.kill('SIGCONT');
    },
    stop: () => {
      child.kill('SIGCONT');
      return stopProcess(child, 'SIGTERM');
    },
  };
}
