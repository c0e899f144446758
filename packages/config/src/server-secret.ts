import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
  mkdirSync(config.DATA_DIR, { recursive: true });
  // written whole under a private name, then linked into place: of two processes starting at
  // once, one link wins and both read the same complete secret
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, randomBytes(32).toString('base64url'), { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
  if (secret.length < 32) throw new Error(`${file} holds a secret shorter than 32 characters`);
  cache.set(file, secret);
  return secret;
}
