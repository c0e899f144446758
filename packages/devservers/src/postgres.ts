import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { spawnLogged, stopProcess, unprivilegedIds } from './process.ts';
import { waitForPort } from './ports.ts';

export interface LocalPostgres {
  /** Connection string of the database owner: migrations only. */
  url: string;
  /**
   * Connection string of the runtime's own login, `modula_audit_app`: owns nothing, no CREATEROLE,
   * only the grants the migrations give it. Server, worker and CLI use this one.
   */
  appUrl: string;
  /** Connection string of the cluster's superuser (tests use it to play the attacker). */
  superuserUrl: string;
  /**
   * Connection string of `modula_audit_maint`, a login that holds only the maintenance role (EXECUTE
   * on remove_tenant_rows: retention's one way to remove rows). Usable once grantMaintenance() ran.
   */
  maintenanceUrl: string;
  /** Grants the maintenance role (created by the migrations) to `modula_audit_maint`: call after migrating. */
  grantMaintenance(): Promise<void>;
  port: number;
  /** The cluster's data folder (pgdata): under `dataDir`, or elsewhere when PostgreSQL's user cannot reach `dataDir` (see clusterDirFor). */
  clusterDir: string;
  stop(): Promise<void>;
}

interface Options {
  dataDir: string;
  port: number;
  /** Off only for throwaway test clusters: a crash of the machine loses their data. */
  fsync?: boolean;
  database?: string;
  binDir?: string;
  /**
   * Where the cluster goes when PostgreSQL's unprivileged user cannot reach `dataDir` (a clone in
   * root's 0700 home): default LOCAL_POSTGRES_CLUSTER_ROOT, else /var/lib/modula-audit.
   */
  fallbackRoot?: string;
}

const DEFAULT_BIN = '/usr/lib/postgresql/15/bin';

/**
 * Starts a PostgreSQL cluster owned by this process, creating it on first use. The cluster keeps
 * its passwords in files beside its data, so the next start reuses both.
 */
export async function startPostgres(opts: Options): Promise<LocalPostgres> {
  const bin = opts.binDir ?? process.env.POSTGRES_BIN_DIR ?? DEFAULT_BIN;
  if (!existsSync(join(bin, 'postgres'))) {
    throw new Error(`PostgreSQL binaries not found in ${bin}; install postgresql-15 or set POSTGRES_BIN_DIR, or give DATABASE_URL`);
  }
  const ids = unprivilegedIds();
  const database = opts.database ?? 'modula_audit';
  mkdirSync(opts.dataDir, { recursive: true });
  // the unprivileged server user must be able to reach its data folder (mkdtemp makes 0700 folders)
  if (ids) chmodSync(opts.dataDir, 0o755);
  const dataDir = clusterDirFor(opts.dataDir, ids, opts.fallbackRoot);
  const secretsFile = join(opts.dataDir, 'secrets.json');
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  if (fresh) initCluster(bin, dirname(dataDir), dataDir, secretsFile, ids);
  const secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as { superuser: string; owner: string; app?: string; maintenance?: string };
  if (!secrets.app || !secrets.maintenance) {
    // clusters made before the runtime (or retention's maintenance) had a login of its own
    secrets.app ??= randomBytes(18).toString('base64url');
    secrets.maintenance ??= randomBytes(18).toString('base64url');
    writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
  }
  const maintenancePassword = secrets.maintenance;
  stopStale(bin, dataDir, ids);

  const args = [
    '-D',
    dataDir,
    '-p',
    String(opts.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    `fsync=${opts.fsync === false ? 'off' : 'on'}`,
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=256MB',
  ];
  if (opts.fsync === false) args.push('-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const child = spawnLogged(join(bin, 'postgres'), args, join(opts.dataDir, 'postgres.log'), ids);
  await waitForPort(opts.port, 30_000, () => child.exitCode === null);

  const superuserUrl = `postgres://postgres:${secrets.superuser}@127.0.0.1:${opts.port}/postgres`;
  await waitForReady(superuserUrl);
  await ensureOwnerDatabase(superuserUrl, database, secrets.owner);
  await ensureRuntimeLogin(superuserUrl, secrets.app);
  // noinherit: the role's one right (EXECUTE on remove_tenant_rows) only after SET ROLE, as remove-rows.ts does
  await ensureLogin(superuserUrl, MAINTENANCE_LOGIN, maintenancePassword, 'noinherit');
  return {
    url: `postgres://modula_audit:${secrets.owner}@127.0.0.1:${opts.port}/${database}`,
    appUrl: `postgres://${RUNTIME_ROLE}:${secrets.app}@127.0.0.1:${opts.port}/${database}`,
    superuserUrl,
    maintenanceUrl: `postgres://${MAINTENANCE_LOGIN}:${maintenancePassword}@127.0.0.1:${opts.port}/${database}`,
    grantMaintenance: () => grantMaintenance(superuserUrl),
    port: opts.port,
    clusterDir: dataDir,
    stop: () => stopProcess(child, 'SIGINT'),
  };
}

/** Whether the unprivileged user can enter and read `dir` (every folder above it must let it through). */
function reachableBy(dir: string, ids: { uid: number; gid: number }): boolean {
  return spawnSync('sh', ['-c', 'test -x "$1" && test -r "$1"', 'sh', dir], { ...ids, stdio: 'ignore' }).status === 0;
}

/**
 * The cluster's folder: `dataDir/pgdata`, unless we are root and PostgreSQL's user (`postgres`)
 * cannot reach `dataDir` — a clone inside root's home (0700) or any private folder. Then the cluster
 * lives in `<fallback root>/<name>-<hash of dataDir>/pgdata` (the fallback root 0755, the cluster 0700
 * and owned by postgres), one per data folder; the passwords and the log stay in `dataDir`, readable
 * by root only. Each start finds the same folder again.
 */
export function clusterDirFor(dataDir: string, ids?: { uid: number; gid: number }, fallbackRoot?: string): string {
  const inPlace = join(dataDir, 'pgdata');
  if (!ids || reachableBy(dataDir, ids)) return inPlace;
  const real = realpathSync(dataDir);
  const root = fallbackRoot ?? process.env.LOCAL_POSTGRES_CLUSTER_ROOT ?? '/var/lib/modula-audit';
  const folder = join(root, `postgres-${createHash('sha256').update(real).digest('hex').slice(0, 12)}`);
  mkdirSync(folder, { recursive: true, mode: 0o755 });
  // only the two folders made for this (never a folder above them) are opened to others
  chmodSync(root, 0o755);
  chmodSync(folder, 0o755);
  if (!reachableBy(folder, ids))
    throw new Error(`PostgreSQL's user cannot reach ${dataDir} nor ${folder}: give LOCAL_POSTGRES_CLUSTER_ROOT a folder it can reach`);
  writeFileSync(join(folder, 'DATA_DIR'), `${real}\n`, { mode: 0o644 });
  return join(folder, 'pgdata');
}

/** The runtime's role (the migrations grant it what it may do); same name as @modula/db's APP_ROLE. */
const RUNTIME_ROLE = 'modula_audit_app';

/**
 * Makes the runtime role a login with its password (creating it before the first migration, which
 * otherwise creates it without login). It stays without CREATEROLE, CREATEDB or superuser.
 */
async function ensureRuntimeLogin(superuserUrl: string, password: string) {
  await ensureLogin(superuserUrl, RUNTIME_ROLE, password);
}

/** A login with its password and no attribute beyond LOGIN (and `extra`), created or set again. */
async function ensureLogin(superuserUrl: string, role: string, password: string, extra = '') {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    const exists = (await client.query('select 1 from pg_roles where rolname = $1', [role])).rowCount;
    const quoted = (await client.query('select quote_literal($1) as q', [password])).rows[0].q as string;
    await client.query(`${exists ? 'alter' : 'create'} role ${role} login nosuperuser nocreaterole nocreatedb nobypassrls ${extra} password ${quoted}`);
  } finally {
    await client.end();
  }
}

/** Retention's login: a member of the maintenance role the migrations create, nothing else. */
const MAINTENANCE_LOGIN = 'modula_audit_maint';

async function grantMaintenance(superuserUrl: string) {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    await client.query(`grant modula_audit_maintenance to ${MAINTENANCE_LOGIN}`);
  } finally {
    await client.end();
  }
}

function initCluster(bin: string, root: string, dataDir: string, secretsFile: string, ids?: { uid: number; gid: number }) {
  const secrets = {
    superuser: randomBytes(18).toString('base64url'),
    owner: randomBytes(18).toString('base64url'),
    app: randomBytes(18).toString('base64url'),
    maintenance: randomBytes(18).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true });
  const pwFile = join(root, '.pwfile');
  writeFileSync(pwFile, secrets.superuser, { mode: 0o600 });
  if (ids) {
    chownSync(dataDir, ids.uid, ids.gid);
    chownSync(pwFile, ids.uid, ids.gid);
  }
  chmodSync(dataDir, 0o700);
  execFileSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C.UTF-8'], {
    stdio: 'pipe',
    ...(ids ?? {}),
  });
  execFileSync('rm', ['-f', pwFile]);
  writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
}

/** A previous run killed without a clean stop leaves its postmaster running: stop it first. */
function stopStale(bin: string, dataDir: string, ids?: { uid: number; gid: number }) {
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return;
  try {
    execFileSync(join(bin, 'pg_ctl'), ['status', '-D', dataDir], { stdio: 'pipe', ...(ids ?? {}) });
    execFileSync(join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w'], { stdio: 'pipe', ...(ids ?? {}) });
  } catch {
    // not running: PostgreSQL removes a stale pid file itself
  }
}

async function waitForReady(url: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function ensureOwnerDatabase(superuserUrl: string, database: string, ownerPassword: string) {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    const role = await client.query(`select 1 from pg_roles where rolname = 'modula_audit'`);
    if (role.rowCount === 0) {
      await client.query(`create role modula_audit login createrole password '${ownerPassword}'`);
    }
    const db = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (db.rowCount === 0) await client.query(`create database "${database}" owner modula_audit`);
  } finally {
    await client.end();
  }
}
