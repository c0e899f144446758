import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileOnce } from './write-file-once.ts';

const cache = new Map<string, Buffer>();

/**
 * The installation's server secret: SERVER_SECRET when configured, else a random one generated
 * once into DATA_DIR/server-secret (mode 0600) and reused by every process of the installation.
 */
export function resolveServerSecret(config: { SERVER_SECRET?: string | undefined; DATA_DIR: string }): Buffer {
  if (config.SERVER_SECRET) return Buffer.from(config.SERVER_SECRET, 'utf8');
  const file = join(config.DATA_DIR, 'server-secret');
  const cached = cache.get(file);
  if (cached) return cached;
  writeFileOnce(file, randomBytes(32).toString('base64url'));
  const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
  if (secret.length < 32) throw new Error(`${file} holds a secret shorter than 32 characters`);
  cache.set(file, secret);
  return secret;
}
