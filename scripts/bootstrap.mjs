#!/usr/bin/env node
// Runs on the machine's own Node (20 or later): makes sure pnpm, the dependencies (including
// Node 24 from the npm registry) and Redis are present, then hands over to the workspace script,
// which runs on Node 24. Usage: node scripts/bootstrap.mjs start|test
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2];
const say = (msg) => console.log(`[bootstrap] ${msg}`);
const fail = (msg) => {
  console.error(`[bootstrap] ${msg}`);
  process.exit(1);
};
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const isRoot = process.getuid?.() === 0;

function sh(cmd) {
  const r = spawnSync('sh', ['-c', cmd], { stdio: 'inherit', cwd: root });
  return r.status === 0;
}

function aptInstall(packages, why) {
  if (!isRoot || !has('apt-get')) {
    fail(
      `${why}: install ${packages.join(' ')} (e.g. sudo apt-get install -y ${packages.join(' ')}), or see README for the variables that point at existing servers.`,
    );
  }
  say(`installing ${packages.join(' ')} with apt-get (${why})`);
  if (!sh(`DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')}`)) {
    sh('apt-get update -q') || fail('apt-get update failed');
    sh(`DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')}`) ||
      fail(`apt-get could not install ${packages.join(' ')}`);
  }
}

if (!['start', 'test'].includes(mode)) fail('usage: node scripts/bootstrap.mjs start|test');

if (!has('pnpm')) {
  say('pnpm not found: installing pnpm@10 with npm');
  sh('npm install -g pnpm@10') || fail('could not install pnpm (npm install -g pnpm@10); install it and run again');
}

say('installing dependencies (pnpm install)');
sh('pnpm install --frozen-lockfile --prefer-offline') || sh('pnpm install') || fail('pnpm install failed');

const redisBin = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
const needsLocalRedis = mode === 'test' || (!process.env.REDIS_URL && !process.env.REDIS_CLUSTER_NODES);
if (needsLocalRedis && !existsSync(redisBin)) aptInstall(['redis-server'], 'Redis is needed for the ingest queue');
// Debian's package starts a system-wide Redis we do not use; ours runs with our own settings.
if (needsLocalRedis && isRoot && has('systemctl')) spawnSync('sh', ['-c', 'systemctl disable --now redis-server 2>/dev/null'], { stdio: 'ignore' });

const pgBin = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
const needsLocalPg = mode === 'test' || !process.env.DATABASE_URL;
if (needsLocalPg && !existsSync(resolve(pgBin, 'postgres'))) aptInstall(['postgresql-15'], 'PostgreSQL is needed for the audit log');

// the browser tests drive Debian's Chromium (Playwright cannot download its own browser here)
const chromiumBin = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
if (mode === 'test' && !existsSync(chromiumBin)) aptInstall(['chromium'], 'the browser tests need a headless Chromium');

if (mode === 'start') {
  // Ctrl-C reaches every process of the terminal's foreground group, this one too: it waits for the
  // supervisor to stop the system in order and exit, rather than give the prompt back meanwhile. The
  // supervisor is started on Node 24 directly, not through `pnpm run`, which exits at once on SIGINT.
  for (const signal of ['SIGINT', 'SIGHUP']) process.on(signal, () => {});
  // the binary itself (node_modules/.bin/node is a shell wrapper that would stand between)
  const node24 = resolve(root, 'node_modules/node/bin/node');
  if (existsSync(node24)) {
    const child = spawnSync(node24, ['--import', 'tsx', 'scripts/start-system.ts', ...process.argv.slice(3)], { stdio: 'inherit', cwd: root });
    process.exit(child.status ?? 1);
  }
}
const script = mode === 'start' ? 'start:system' : 'test:all';
const child = spawnSync('pnpm', ['run', '--silent', script, ...process.argv.slice(3)], { stdio: 'inherit', cwd: root });
process.exit(child.status ?? 1);
