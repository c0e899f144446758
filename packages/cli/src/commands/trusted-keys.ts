import { existsSync } from 'node:fs';
import { ZConfig } from '@modula/config';
import { defaultKeyFile, keyringFromFile, type TKeyring } from '@modula/domain';

/**
 * The public keys an offline check trusts: `--public-key` (a PEM, or the keys.json published at
 * /.well-known/modula-audit/keys.json), else this installation's own signing key.
 */
export function trustedKeyring(publicKey: string | undefined): TKeyring {
  if (publicKey) return keyringFromFile(publicKey);
  const settings = ZConfig.pick({ DATA_DIR: true, SIGNING_KEY_FILE: true, SIGNING_KEY_ID: true }).parse(process.env);
  const file = defaultKeyFile(settings);
  if (!existsSync(file)) throw new Error(`no public key: pass --public-key (a PEM or the published keys.json); ${file} does not exist here`);
  return keyringFromFile(file, settings.SIGNING_KEY_ID);
}
