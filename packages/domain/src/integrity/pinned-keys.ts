import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dbOf, withNoTenant, type Orm } from '@modula/db';
import { listedSigningKeys } from './checkpoints.ts';
import { keyringOf, type TKeyring, type TSigner } from './signing-key.ts';

interface TPinnedKey {
  keyId: string;
  publicKey: string;
  pinnedAt: string;
}

/** The keys a verifier trusts on this host, and what it noticed on the way. */
export interface TTrustedKeys {
  keyring: TKeyring;
  /** Keys the database lists that were never pinned here: not trusted (a forged key stays out). */
  notTrusted: string[];
}

/**
 * Trust on first use for the keys that sign checkpoints. The database's `signing_keys` is what the
 * service says it signs with — and what a database superuser could add to (the runtime cannot: only
 * the owner publishes). So a verifier on this host — the CLI's verify-chain, the viewer's badge, a
 * new checkpoint checking the one it extends — trusts its own signing key and the keys pinned in
 * DATA_DIR/pinned-keys.json the first time one verified (mode 0600); a key the database lists later
 * is reported, not trusted, until an operator pins it after checking it (or passes the published
 * keys file with --public-key).
 */
export async function pinnedKeys(orm: Orm, dataDir: string, own?: TSigner): Promise<TTrustedKeys> {
  const file = join(dataDir, 'pinned-keys.json');
  const listed = await listedKeys(orm);
  const firstUse = !existsSync(file);
  const pinned: TPinnedKey[] = firstUse ? [] : (JSON.parse(readFileSync(file, 'utf8')) as { keys: TPinnedKey[] }).keys;
  const now = new Date().toISOString();
  let changed = false;
  const pin = (keyId: string, publicKey: string) => {
    if (pinned.some((k) => k.keyId === keyId)) return;
    pinned.push({ keyId, publicKey, pinnedAt: now });
    changed = true;
  };
  if (firstUse) for (const k of listed) pin(k.keyId, k.publicKey);
  if (own) pin(own.keyId, own.publicKeyPem);
  if (changed) writeWhole(file, `${JSON.stringify({ keys: pinned }, null, 2)}\n`);
  const trusted = new Map(pinned.map((k) => [k.keyId, k.publicKey]));
  const notTrusted = listed.filter((k) => trusted.get(k.keyId) !== k.publicKey).map((k) => k.keyId);
  return { keyring: keyringOf(pinned), notTrusted };
}

/**
 * The keys pinned on this host, read from DATA_DIR/pinned-keys.json alone (no database: for the
 * offline checks, which trust what verify-chain trusts here, retired keys included); empty when none was pinned.
 */
export function pinnedKeyring(dataDir: string): TKeyring {
  const file = join(dataDir, 'pinned-keys.json');
  if (!existsSync(file)) return new Map();
  return keyringOf((JSON.parse(readFileSync(file, 'utf8')) as { keys: TPinnedKey[] }).keys);
}

/** Server, worker and CLI share DATA_DIR: the file is replaced whole (rename), so none of them ever reads half of it. */
function writeWhole(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, file);
}

async function listedKeys(orm: Orm): Promise<{ keyId: string; publicKey: string }[]> {
  return withNoTenant(orm, (tx) => listedSigningKeys(dbOf(tx)));
}
