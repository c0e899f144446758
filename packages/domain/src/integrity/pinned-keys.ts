import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_ROLE, dbOf, type Orm } from '@modula/db';
import { listedSigningKeys } from './checkpoints.ts';
import { keyringOf, type TKeyring, type TSigner } from './signing-key.ts';

interface TPinnedKey { keyId: string; publicKey: string; pinnedAt: string }

/** The keys a verifier trusts on this host, and what it noticed on the way. */
export interface TTrustedKeys {
  keyring: TKeyring;
  /** Keys the database lists that were never pinned here: not trusted (a forged key stays out). */
  notTrusted: string[];
}

/**
 * Trust on first use for the keys that sign checkpoints. The database's `signing_keys` is what the
 * service says it signs with — and what a database superuser could add to. So a verifier on this
 * host trusts its own signing key and the keys it pinned in DATA_DIR/pinned-keys.json the first
 * time it verified (mode 0600); a key the database lists later is reported, not trusted, until an
 * operator pins it after checking it (or passes the published keys file with --public-key).
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
  if (changed) writeFileSync(file, `${JSON.stringify({ keys: pinned }, null, 2)}\n`, { mode: 0o600 });
  const trusted = new Map(pinned.map((k) => [k.keyId, k.publicKey]));
  const notTrusted = listed.filter((k) => trusted.get(k.keyId) !== k.publicKey).map((k) => k.keyId);
  return { keyring: keyringOf(pinned), notTrusted };
}

async function listedKeys(orm: Orm): Promise<{ keyId: string; publicKey: string }[]> {
  const em = orm.em.fork();
  em.setSessionContext({ role: APP_ROLE, variables: {} });
  return em.transactional((tx) => listedSigningKeys(dbOf(tx)));
}
