import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** One key per purpose, derived from the server secret: a cursor signature can never pass as a sign-in token. */
function keyFor(serverSecret: Buffer, purpose: string): Buffer {
  return createHmac('sha256', serverSecret).update(`modula-audit:${purpose}`).digest();
}

/**
 * What tells one server secret from another without revealing it: an HMAC of a fixed text under a
 * key derived for this purpose alone (server-secret-check.ts keeps it in the database).
 */
export function secretCheckValue(serverSecret: Buffer): string {
  return `v1.${createHmac('sha256', keyFor(serverSecret, 'server-secret-check')).update('modula-audit server secret check').digest('base64url')}`;
}

/** `payload.signature`, both base64url: tamper-evident, not secret. */
export function signPayload(serverSecret: Buffer, purpose: string, payload: unknown): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  const mac = createHmac('sha256', keyFor(serverSecret, purpose)).update(body).digest('base64url');
  return `${body}.${mac}`;
}

/** The payload of a token this server signed for this purpose; undefined for anything else. */
export function verifyPayload(serverSecret: Buffer, purpose: string, token: string): unknown {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', keyFor(serverSecret, purpose)).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** AES-256-GCM under a key derived from the server secret (one per purpose): a copy of the users table yields no TOTP secret. */
export function encryptSecret(serverSecret: Buffer, plain: string, purpose = 'totp-secret'): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(serverSecret, purpose), iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

export function decryptSecret(serverSecret: Buffer, sealed: string, purpose = 'totp-secret'): string {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('unknown sealed-secret format');
  const decipher = createDecipheriv('aes-256-gcm', keyFor(serverSecret, purpose), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
