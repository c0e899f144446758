/**
 * `npm start`, after bootstrap: local PostgreSQL and Redis (unless DATABASE_URL / REDIS_URL are
 * given), migrations, then the server and the worker as child processes. Ctrl-C (or SIGTERM, SIGHUP)
 * stops all of it in order — server and worker first, then Redis, then PostgreSQL — and leaves
 * nothing running. Every child runs in a process group of its own, so the terminal's Ctrl-C reaches
 * this supervisor alone (before, it reached Redis at once and the worker logged connection errors
 * until its shutdown deadline). `--no-web-build` skips building the viewer (tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ZConfig } from '@modula/config';
import { migrate } from '@modula/db';
import { loadSigner, publishSigningKey } from '@modula/domain';
import { startPostgres, startRedis, stopProcess, type LocalPostgres, type LocalRedis } from '@modula/devservers';
import { buildWebIfStale } from '../web/scripts/build-if-stale.ts';

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(root, process.env.DATA_DIR ?? '.data');
mkdirSync(dataDir, { recursive: true });
const say = (msg: string) => console.log(`[start] ${msg}`);

let pg: LocalPostgres | undefined;
let redis: LocalRedis | undefined;
const children = new Map<string, ChildProcess>();
let stopping = false;
/** Read from the validated configuration once it is known; the schema's default until then. */
let shutdownTimeoutSeconds = ZConfig.shape.SHUTDOWN_TIMEOUT_SECONDS.parse(undefined);

async function main() {
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir };
  if (!env.DATABASE_URL) {
    pg = await startPostgres({ dataDir: join(dataDir, 'postgres'), port: Number(env.LOCAL_POSTGRES_PORT ?? 54329) });
    // the runtime's own login; the owner only migrates
    env.DATABASE_URL = pg.appUrl;
    env.DATABASE_OWNER_URL = pg.url;
    say(`PostgreSQL on 127.0.0.1:${pg.port} (data in ${pg.clusterDir})`);
  }
  // a Redis Cluster given in REDIS_CLUSTER_NODES is used as it is: no local Redis beside it
  if (!env.REDIS_URL && !env.REDIS_CLUSTER_NODES) {
    redis = await startRedis({
      dataDir: join(dataDir, 'redis'),
      port: Number(env.LOCAL_REDIS_PORT ?? 63799),
      appendfsync: env.REDIS_APPENDFSYNC === 'everysec' ? 'everysec' : 'always',
      maxmemory: env.REDIS_MAXMEMORY,
    });
    env.REDIS_URL = redis.url; // holds the password: never printed
    say(
      `Redis on 127.0.0.1:${redis.port} (AOF, appendfsync ${env.REDIS_APPENDFSYNC ?? 'always'}, maxmemory ${redis.maxmemory}, noeviction; user ${redis.user}, password in ${redis.passwordFile})`,
    );
  }
  const checked = ZConfig.safeParse(env);
  if (!checked.success) {
    throw new Error(`Invalid configuration:\n${checked.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  shutdownTimeoutSeconds = checked.data.SHUTDOWN_TIMEOUT_SECONDS;
  const ownerUrl = env.DATABASE_OWNER_URL ?? checked.data.DATABASE_URL;
  const applied = await migrate(ownerUrl);
  say(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema up to date');
  // only the owner publishes signing keys: server and worker refuse to start with a key that is not listed
  const signer = loadSigner(checked.data);
  const { newlyPublished } = await publishSigningKey(ownerUrl, signer);
  say(`signing key ${signer.keyId} ${newlyPublished ? 'published' : 'already published'}`);
  // the owner's password stays here: server, worker and CLI never hold it
  delete env.DATABASE_OWNER_URL;
  // the CLI finds the running servers here (the file is readable by this user only)
  writeFileSync(
    join(dataDir, 'runtime.json'),
    JSON.stringify({ databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL, redisClusterNodes: env.REDIS_CLUSTER_NODES }),
    { mode: 0o600 },
  );

  // the server serves web/dist at /: build the viewer first when it is missing or outdated
  if (!process.argv.includes('--no-web-build')) await buildWebIfStale(say);
  run('server', join(root, 'server/src/main.ts'), env);
  // retention removes expired rows as the maintenance role: only the worker (its scheduled job) holds that login
  if (pg && !env.DATABASE_MAINTENANCE_URL) await pg.grantMaintenance();
  const maintenanceUrl = env.DATABASE_MAINTENANCE_URL ?? pg?.maintenanceUrl;
  run('worker', join(root, 'worker/src/main.ts'), maintenanceUrl ? { ...env, DATABASE_MAINTENANCE_URL: maintenanceUrl } : env);
  say(`Modula Audit on http://${checked.data.HOST}:${checked.data.PORT}  (Ctrl-C stops everything)`);
}

/** Runs a process and restarts it if it dies on its own (after a pause, so a crash loop stays slow). */
function run(name: string, entry: string, env: Record<string, string | undefined>) {
  // a process group of its own: Ctrl-C in the terminal reaches only this supervisor, which stops it in order
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { env, stdio: 'inherit', cwd: root, detached: true });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) return;
    say(`${name} exited (${signal ?? code}); restarting in 2 s`);
    setTimeout(() => {
      if (!stopping) run(name, entry, env);
    }, 2000);
  });
}

async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping server and worker, then the local servers`);
  // past their own SHUTDOWN_TIMEOUT_SECONDS they exit by themselves; the SIGKILL is the backstop
  await Promise.all(
    [...children.entries()].map(async ([name, child]) => {
      await stopProcess(child, 'SIGTERM', (shutdownTimeoutSeconds + 10) * 1000);
      say(`${name} stopped`);
    }),
  );
  if (redis) {
    await redis.stop();
    say('Redis stopped');
  }
  if (pg) {
    await pg.stop();
    say('PostgreSQL stopped');
  }
  say('stopped');
  process.exit(0);
}

process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
// the terminal closed: its children no longer get its hang-up (own process groups), so stop them here
process.on('SIGHUP', () => void stop('SIGHUP'));
main().catch(async (err: Error) => {
  console.error(`[start] ${err.message}`);
  await stop('error');
  process.exit(1);
});
