/**
 * Builds the viewer into web/dist unless the build is newer than everything it is made of
 * (web sources, its config, and the contracts whose catalog it shows). Used by `npm start`
 * and by the browser tests, so that neither serves an outdated or missing viewer.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const webDir = resolve(import.meta.dirname, '..');
const distIndex = join(webDir, 'dist', 'index.html');
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

/** Runs `vite build` for the viewer when its build is stale; returns whether it built. */
export async function buildWebIfStale(log: (msg: string) => void = () => {}): Promise<boolean> {
  if (!isWebBuildStale()) return false;
  log('building the viewer (web/dist is missing or older than web/src)');
  const { build } = await import('vite');
  await build({ configFile: join(webDir, 'vite.config.ts'), root: webDir, logLevel: 'warn' });
  return true;
}
