/**
 * `pnpm start:server` / `pnpm start:worker`: ONE server or worker process against the servers the
 * environment names — no local PostgreSQL or Redis is started, nothing is migrated, no secret or key
 * is generated. Any number of each may run, on any number of hosts. What is missing is listed at
 * once (exit 78) rather than discovered later; then the process is exactly `server/src/main.ts` or
 * `worker/src/main.ts`, which validate the rest of the configuration themselves.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const role = process.argv[2];
if (role !== 'server' && role !== 'worker') {
  console.error('usage: tsx scripts/start-one.ts server|worker');
  process.exit(64);
}

/** The settings a process on a host of its own needs, each with what to do about it. */
export function missingSettings(env: Record<string, string | undefined>): string[] {
  const missing: string[] = [];
  if (!env.DATABASE_URL)
    missing.push('DATABASE_URL: the PostgreSQL of the installation, as the runtime login (postgres://modula_audit_app:…@host:5432/modula_audit)');
  if (!env.REDIS_URL && !env.REDIS_CLUSTER_NODES) {
    missing.push('REDIS_URL (redis://user:password@host:6379) or REDIS_CLUSTER_NODES (host:port,host:port,…): the queue every server and worker shares');
  }
  if (!env.SERVER_SECRET && !env.SERVER_SECRET_FILE) {
    missing.push(
      "SERVER_SECRET or SERVER_SECRET_FILE: the secret every server and worker of the installation shares (it seals the Admins' two-factor " +
        "secrets and the log streams' and alert webhooks' credentials, which workers open); " +
        'e.g. `openssl rand -base64 48 > /run/secrets/modula-server-secret` on one host, the same file on every server and worker',
    );
  }
  const keyFile = env.SIGNING_KEY_FILE ?? join(env.DATA_DIR ?? '.data', 'signing-key.pem');
  if (!existsSync(keyFile)) {
    missing.push(
      `SIGNING_KEY_FILE: no signing key at ${keyFile}; give every server and worker the file that \`pnpm cli migrate\` (as the owner) created and published`,
    );
  }
  return missing;
}

const missing = missingSettings(process.env);
if (missing.length > 0) {
  console.error(`[start:${role}] not starting: ${missing.length === 1 ? 'this is' : 'these are'} missing:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
  console.error(`[start:${role}] (\`npm start\` runs everything on one machine instead; see README, "Running on several machines")`);
  process.exit(78); // EX_CONFIG
}
await import(role === 'server' ? '../server/src/main.ts' : '../worker/src/main.ts');
