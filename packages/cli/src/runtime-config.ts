import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigOrExit, type TConfig } from '@modula/config';

/**
 * The CLI talks to the same servers as the running system: DATABASE_URL / REDIS_URL when given,
 * otherwise the local servers that `npm start` recorded in the data folder.
 */
export function cliConfig(): TConfig {
  const dataDir = process.env.DATA_DIR ?? '.data';
  const runtimeFile = join(dataDir, 'runtime.json');
  const env = { ...process.env };
  if ((!env.DATABASE_URL || !env.REDIS_URL) && existsSync(runtimeFile)) {
    const runtime = JSON.parse(readFileSync(runtimeFile, 'utf8')) as { databaseUrl: string; redisUrl: string };
    env.DATABASE_URL ??= runtime.databaseUrl;
    env.REDIS_URL ??= runtime.redisUrl;
  }
  if (!env.DATABASE_URL) {
    console.error(`No database: set DATABASE_URL, or run \`npm start\` first (it records its local servers in ${runtimeFile}).`);
    process.exit(78);
  }
  return loadConfigOrExit(env);
}
