import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileOnce } from '@modula/config';
import { join } from 'node:path';
import { ZPublicKeySet, type TPublicKey } from '@modula/contracts';

/** Where the signing key comes from: SIGNING_KEY_FILE, else DATA_DIR/signing-key.pem generated on first start. */
export interface TSigningKeySettings {
  SIGNING_KEY_FILE?: string | undefined;
  SIGNING_KEY_ID?: string | undefined;
  DATA_DIR: string;
}

export interface TSigner {
  keyId: string;
  publicKeyPem: string;
  /** Ed25519 over the UTF-8 bytes of `text`, base64. */
  sign(text: string): string;
}

/** A key id that names the key itself: `ed25519-` + the first 16 hex digits of SHA-256 of its SPKI (DER). */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `ed25519-${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

export function defaultKeyFile(settings: TSigningKeySettings): string {
  return settings.SIGNING_KEY_FILE ?? join(settings.DATA_DIR, 'signing-key.pem');
}

const cache = new Map<string, TSigner>();

/**
 * The installation's Ed25519 signing key. When the file does not exist (and was not configured),
 * a new key is generated into it with mode 0600: written under a private name, then linked into
 * place, so two processes starting at once end up with the same key.
 */
export function loadSigner(settings: TSigningKeySettings): TSigner {
  const file = defaultKeyFile(settings);
  const cached = cache.get(`${file}|${settings.SIGNING_KEY_ID ?? ''}`);
  if (cached) return cached;
  if (!existsSync(file)) {
    if (settings.SIGNING_KEY_FILE) throw new Error(`SIGNING_KEY_FILE ${file} does not exist`);
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileOnce(file, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  }
  const privateKey = createPrivateKey(readFileSync(file));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 private key`);
  const publicKey = createPublicKey(privateKey);
  const signer: TSigner = {
    keyId: settings.SIGNING_KEY_ID ?? keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (text) => sign(null, Buffer.from(text, 'utf8'), privateKey).toString('base64'),
  };
  cache.set(`${file}|${settings.SIGNING_KEY_ID ?? ''}`, signer);
  return signer;
}

/** Public keys a verifier trusts, by key id. */
export type TKeyring = Map<string, KeyObject>;

export function verifySignature(keyring: TKeyring, keyId: string, text: string, signature: string): boolean {
  const key = keyring.get(keyId);
  if (!key) return false;
  try {
    return verify(null, Buffer.from(text, 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export function keyringOf(keys: Pick<TPublicKey, 'keyId' | 'publicKey'>[]): TKeyring {
  return new Map(keys.map((k) => [k.keyId, createPublicKey(k.publicKey)]));
}

/**
 * A keyring from a file an auditor holds: the published keys.json, or one PEM public key (or a
 * private key, whose public half is taken), whose id is then computed as keyIdOf does.
 */
export function keyringFromFile(file: string, keyId?: string): TKeyring {
  const text = readFileSync(file, 'utf8');
  if (text.trimStart().startsWith('{')) return keyringOf(ZPublicKeySet.parse(JSON.parse(text)).keys);
  const key = text.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(text)) : createPublicKey(text);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 key`);
  return new Map([[keyId ?? keyIdOf(key), key]]);
}
