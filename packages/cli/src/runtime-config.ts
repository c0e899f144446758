import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { existingServerSecret, loadConfigOrExit, type TConfig } from '@modula/config';
import type { Orm } from '@modula/db';
import { isInstallationSecret } from '@modula/domain';

/**
 * The CLI talks to the same servers as the running system: DATABASE_URL / REDIS_URL (or
 * REDIS_CLUSTER_NODES) when given, otherwise what `npm start` recorded in the data folder.
 */
export function cliConfig(): TConfig {
  const dataDir = process.env.DATA_DIR ?? '.data';
  const runtimeFile = join(dataDir, 'runtime.json');
  const env = { ...process.env };
  const noRedis = !env.REDIS_URL && !env.REDIS_CLUSTER_NODES;
  if ((!env.DATABASE_URL || noRedis) && existsSync(runtimeFile)) {
    const runtime = JSON.parse(readFileSync(runtimeFile, 'utf8')) as { databaseUrl: string; redisUrl?: string; redisClusterNodes?: string };
    env.DATABASE_URL ??= runtime.databaseUrl;
    // the one Redis the system runs on: its cluster, or its single server
    if (noRedis && runtime.redisClusterNodes) env.REDIS_CLUSTER_NODES = runtime.redisClusterNodes;
    else if (noRedis && runtime.redisUrl) env.REDIS_URL = runtime.redisUrl;
  }
  if (!env.DATABASE_URL) {
    console.error(`No database: set DATABASE_URL, or run \`npm start\` first (it records its local servers in ${runtimeFile}).`);
    process.exit(78);
  }
  return loadConfigOrExit(env);
}

/**
 * The installation's server secret, for a command that seals something the servers must open (a
 * stream, an alert webhook). Never generated here: a CLI run on another host, or with another
 * DATA_DIR, would seal under a secret no server has, and the stream or webhook would never deliver.
 * Refused too when it is not the database's (a stray DATA_DIR/server-secret an earlier CLI generated):
 * not the one the servers recorded or, before any did, one that does not open what is sealed there
 * as a server's start would judge it (isInstallationSecret: all of it, or every two-factor secret).
 */
export async function installationSecret(config: TConfig, orm: Orm): Promise<Buffer> {
  const secret = existingServerSecret(config);
  if (!secret)
    throw new Error(
      `no server secret here (SERVER_SECRET and SERVER_SECRET_FILE unset, no ${join(config.DATA_DIR, 'server-secret')}): ` +
        "give the installation's (SERVER_SECRET_FILE, or DATA_DIR of the system), else what this seals no server could open",
    );
  if (!(await isInstallationSecret(orm, secret)))
    throw new Error(
      `the server secret here (${secretSource(config)}) is not the one this database is served with: what this seals no server could open. ` +
        "A server-secret an earlier CLI generated in this DATA_DIR? Give the installation's (SERVER_SECRET_FILE, or DATA_DIR of the system). " +
        "If no server has started since the upgrade and this is the servers' secret, `pnpm --silent cli server-secret record` (as the owner) lists what it does not open",
    );
  return secret;
}

/** The installation's secret when this host has it, to seal rows still stored in clear as it shows them; else undefined (shown redacted, left as they are). */
export async function installationSecretIfHere(config: TConfig, orm: Orm): Promise<Buffer | undefined> {
  const secret = existingServerSecret(config);
  return secret && (await isInstallationSecret(orm, secret)) ? secret : undefined;
}

function secretSource(config: TConfig): string {
  if (config.SERVER_SECRET) return 'SERVER_SECRET';
  if (config.SERVER_SECRET_FILE) return `SERVER_SECRET_FILE ${config.SERVER_SECRET_FILE}`;
  return join(config.DATA_DIR, 'server-secret');
}
