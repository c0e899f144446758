/**
 * Builds the viewer into web/dist unless the build is newer than everything it is made of
 * (web sources, its config, and the contracts whose catalog it shows). Used by `npm start`
 * and by the browser tests, so that neither serves an outdated or missing viewer.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const webDir = resolve(import.meta.dirname, '..');
const distDir = join(webDir, 'dist');
const distIndex = join(distDir, 'index.html');
const SOURCES = [
  join(webDir, 'src'),
  join(webDir, 'index.html'),
  join(webDir, 'vite.config.ts'),
  join(webDir, 'package.json'),
  resolve(webDir, '../packages/contracts/src'),
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** Whether web/dist is missing or older than a source of the viewer. */
export function isWebBuildStale(): boolean {
  if (!existsSync(distIndex)) return true;
  const built = statSync(distIndex).mtimeMs;
  return SOURCES.some((source) => newestMtime(source) > built);
}

/**
 * Runs `vite build` for the viewer when its build is stale; returns whether it built. The build runs
 * in its own process with NODE_ENV=production: Vite keeps a NODE_ENV it finds set, and inside vitest
 * (NODE_ENV=test) it would bundle React's development build.
 */
export async function buildWebIfStale(log: (msg: string) => void = () => {}): Promise<boolean> {
  if (!isWebBuildStale()) return false;
  log('building the viewer (web/dist is missing or older than web/src)');
  const viteBin = join(dirname(createRequire(join(webDir, 'package.json')).resolve('vite/package.json')), 'bin/vite.js');
  // built aside and swapped in, so a server (or another test run) reading web/dist never sees it half-written
  const staging = join(webDir, 'node_modules', '.cache', `dist-${process.pid}-${Date.now()}`);
  const child = spawn(process.execPath, [viteBin, 'build', '--logLevel', 'warn', '--outDir', staging, '--emptyOutDir'], {
    cwd: webDir,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('exit', done);
  });
  if (code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`vite build of the viewer failed (exit ${code})`);
  }
  const previous = `${staging}-previous`;
  try {
    renameSync(distDir, previous);
  } catch {
    // no build yet
  }
  try {
    renameSync(staging, distDir);
  } catch {
    // another process swapped in its own build of the same sources meanwhile
  }
  rmSync(previous, { recursive: true, force: true });
  rmSync(staging, { recursive: true, force: true });
  return true;
}
