import { existsSync } from 'node:fs';
import { ZConfig } from '@modula/config';
import { defaultKeyFile, keyringFromFile, pinnedKeyring, type TKeyring } from '@modula/domain';

/**
 * The public keys an offline check trusts: `--public-key` (a PEM, or the keys.json published at
 * /.well-known/modula-audit/keys.json), else this installation's: its own signing key and the keys
 * pinned on this host (DATA_DIR/pinned-keys.json), as verify-chain trusts them, so a pack or proof
 * signed before a rotation still verifies here.
 */
export function trustedKeyring(publicKey: string | undefined): TKeyring {
  if (publicKey) return keyringFromFile(publicKey);
  const settings = ZConfig.pick({ DATA_DIR: true, SIGNING_KEY_FILE: true, SIGNING_KEY_ID: true }).parse(process.env);
  const file = defaultKeyFile(settings);
  const pinned = pinnedKeyring(settings.DATA_DIR);
  if (!existsSync(file)) {
    if (pinned.size > 0) return pinned;
    throw new Error(`no public key: pass --public-key (a PEM or the published keys.json); ${file} does not exist here`);
  }
  return new Map([...pinned, ...keyringFromFile(file, settings.SIGNING_KEY_ID)]);
}
