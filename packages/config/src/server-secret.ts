import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileOnce } from './write-file-once.ts';

const cache = new Map<string, Buffer>();

/**
 * The installation's server secret: SERVER_SECRET when configured; else the contents of
 * SERVER_SECRET_FILE (a Docker secret, a mounted file), which must exist and hold at least 32
 * characters — a configured file is never replaced by a new secret (that would end every enrolled
 * Admin's two-factor); else a random one generated once into DATA_DIR/server-secret (mode 0600) and
 * reused by every process sharing that folder (one machine: `npm start`).
 */
export function resolveServerSecret(config: { SERVER_SECRET?: string | undefined; SERVER_SECRET_FILE?: string | undefined; DATA_DIR: string }): Buffer {
  if (config.SERVER_SECRET) return Buffer.from(config.SERVER_SECRET, 'utf8');
  const configured = config.SERVER_SECRET_FILE;
  const file = configured ?? join(config.DATA_DIR, 'server-secret');
  const cached = cache.get(file);
  if (cached) return cached;
  if (configured) {
    if (!existsSync(configured))
      throw new Error(
        `SERVER_SECRET_FILE ${configured} does not exist: not generating a new secret in its place (it seals every Admin's two-factor secret); give the file or SERVER_SECRET`,
      );
  } else {
    writeFileOnce(file, randomBytes(32).toString('base64url'));
  }
  const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
  if (secret.length < 32) throw new Error(`${configured ? 'SERVER_SECRET_FILE ' : ''}${file} holds a secret shorter than 32 characters`);
  cache.set(file, secret);
  return secret;
}

/**
 * The installation's server secret when this host has it (SERVER_SECRET, SERVER_SECRET_FILE, or
 * DATA_DIR/server-secret already there); undefined, never a new one, when it has not. For a process
 * that is not the installation (the operator's CLI on another host, or with another DATA_DIR): what it
 * sealed under a secret of its own, no server could open (a stream's URL, a webhook's secret).
 */
export function existingServerSecret(config: {
  SERVER_SECRET?: string | undefined;
  SERVER_SECRET_FILE?: string | undefined;
  DATA_DIR: string;
}): Buffer | undefined {
  if (!config.SERVER_SECRET && !config.SERVER_SECRET_FILE && !existsSync(join(config.DATA_DIR, 'server-secret'))) return undefined;
  return resolveServerSecret(config);
}
